// The faces found in a camera frame, drawn over the camera's preview: the preview is mirrored
// like a looking glass, so the boxes are too. The face step's guidance and the camera test.
export interface FaceBox { x: number; y: number; width: number; height: number }

export function FaceBoxes({ width, height, boxes, state }: { width: number; height: number; boxes: readonly FaceBox[]; state: string }) {
  if (!width || !height) return null;
  return (
    <>
      {boxes.map((box, index) => (
        <div key={index} className={`face-box face-box-${state}`} data-testid="face-box" style={{
          left: `${((width - box.x - box.width) / width) * 100}%`, top: `${(box.y / height) * 100}%`,
          width: `${(box.width / width) * 100}%`, height: `${(box.height / height) * 100}%`,
        }} />
      ))}
    </>
  );
}
