// The LDS codecs' public face: the file table and one decoder and encoder per file the kiosk
// reads (EF.COM, DG1, DG2, DG11, DG12, DG14, DG15). EF.SOD is in ../sod.ts.

export {
  DATA_GROUP_FILES, EF_CARD_ACCESS, EF_COM, EF_SOD, EMRTD_AID, LDS_FILES,
  dataGroupFile, dataGroupForTag, isDataGroupNumber, ldsFileByFid,
  type DataGroupNumber, type LdsFile, type LdsFileName,
} from './lds-files.js';
export { decodeEfCom, encodeEfCom, formatLdsVersion, type EfCom } from './ef-com.js';
export { decodeDg1, encodeDg1, type Dg1 } from './dg1.js';
export {
  BIOMETRIC_TYPE_FACE, BiometricHeaderTag, FORMAT_OWNER_SC37, FORMAT_TYPE_FACE_IMAGE, decodeDg2, encodeDg2, faceHeader,
  type BiometricHeaderElement, type Dg2, type Dg2Instance, type Dg2InstanceInput, type Dg2Portrait,
} from './dg2.js';
export {
  FaceImageDataType, decodeFacialRecord, encodeFacialRecord, jpeg2000Codestream, portraitFace, sniffFaceImageFormat,
  type FaceImage, type FaceImageFormat, type FacialRecord, type FeaturePoint, type PoseAngles,
} from './iso19794-5.js';
export {
  decodeDg11, decodeDg12, detailText, encodeDg11, encodeDg12,
  type AdditionalDetail, type AdditionalDetailInput, type AdditionalDetailName, type AdditionalDetails,
  type Dg11FieldName, type Dg12FieldName, type TextEncodingName,
} from './additional-details.js';
export { decodeDg14, decodeDg15, encodeDg14, encodeDg15, type Dg14, type Dg15 } from './public-key-groups.js';
