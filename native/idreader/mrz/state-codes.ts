// The three-letter codes an MRZ may carry as issuing state or nationality (Doc 9303 part 3,
// section 5): ISO 3166-1 alpha-3 plus the codes ICAO and ISO 3166/MA reserve for MRTDs.
// Kept as data so a new code is a one-line change reviewed on its own.

/** ISO 3166-1 alpha-3, all 249 officially assigned codes. */
const ISO_3166_ALPHA3 = `
ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES BFA
BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL CHN
CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA ECU
EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB GNB
GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL
ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO
LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR
MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER
PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM
SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK
TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB VIR VNM
VUT WLF WSM YEM ZAF ZMB ZWE
`.trim().split(/\s+/);

/** Codes Doc 9303 part 3 adds for MRTDs, and the specimen state. */
const ICAO_MRTD_CODES = [
  'D', // Germany (its documents use D, not DEU)
  'EUE', // European Union
  'GBD', // British Overseas Territories Citizen
  'GBN', // British National (Overseas)
  'GBO', // British Overseas Citizen
  'GBP', // British Protected Person
  'GBS', // British Subject
  'RKS', // Kosovo (code in use on its documents)
  'UNA', // specialized agency of the United Nations
  'UNK', // resident of Kosovo, document issued by UNMIK
  'UNO', // United Nations Organization
  'XBA', // African Development Bank
  'XCC', // Caribbean Community (CARICOM)
  'XCE', // Council of Europe
  'XCO', // Common Market for Eastern and Southern Africa (COMESA)
  'XDC', // Southern African Development Community
  'XEC', // Economic Community of West African States (ECOWAS)
  'XES', // Organisation of Eastern Caribbean States
  'XIM', // African Export-Import Bank
  'XMP', // Parliamentary Assembly of the Mediterranean
  'XOM', // Sovereign Military Order of Malta
  'XPO', // International Criminal Police Organization (INTERPOL)
  'XXA', // stateless person (1954 Convention)
  'XXB', // refugee (1951 Convention)
  'XXC', // refugee, other than under the 1951 Convention
  'XXX', // person of unspecified nationality
  'UTO', // Utopia, the fictional state of the Doc 9303 specimens
];

const KNOWN_CODES: ReadonlySet<string> = new Set([...ISO_3166_ALPHA3, ...ICAO_MRTD_CODES]);

/** Whether `code` (fillers already removed, e.g. "D" or "UTO") is a state or organisation code. */
export function isKnownStateCode(code: string): boolean {
  return KNOWN_CODES.has(code);
}
