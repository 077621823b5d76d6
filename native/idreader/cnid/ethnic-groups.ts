// The ethnicity codes of GB/T 3304 as they appear in the resident-ID text block ("01" =
// Han), with the names in English and Chinese for display.

export interface EthnicGroup {
  readonly code: string;
  readonly en: string;
  readonly zh: string;
}

const GROUPS: ReadonlyArray<readonly [en: string, zh: string]> = [
  ['Han', '汉族'], ['Mongol', '蒙古族'], ['Hui', '回族'], ['Tibetan', '藏族'], ['Uyghur', '维吾尔族'],
  ['Miao', '苗族'], ['Yi', '彝族'], ['Zhuang', '壮族'], ['Buyei', '布依族'], ['Korean', '朝鲜族'],
  ['Manchu', '满族'], ['Dong', '侗族'], ['Yao', '瑶族'], ['Bai', '白族'], ['Tujia', '土家族'],
  ['Hani', '哈尼族'], ['Kazakh', '哈萨克族'], ['Dai', '傣族'], ['Li', '黎族'], ['Lisu', '傈僳族'],
  ['Va', '佤族'], ['She', '畲族'], ['Gaoshan', '高山族'], ['Lahu', '拉祜族'], ['Sui', '水族'],
  ['Dongxiang', '东乡族'], ['Naxi', '纳西族'], ['Jingpo', '景颇族'], ['Kyrgyz', '柯尔克孜族'], ['Tu', '土族'],
  ['Daur', '达斡尔族'], ['Mulao', '仫佬族'], ['Qiang', '羌族'], ['Blang', '布朗族'], ['Salar', '撒拉族'],
  ['Maonan', '毛南族'], ['Gelao', '仡佬族'], ['Xibe', '锡伯族'], ['Achang', '阿昌族'], ['Pumi', '普米族'],
  ['Tajik', '塔吉克族'], ['Nu', '怒族'], ['Uzbek', '乌孜别克族'], ['Russian', '俄罗斯族'], ['Evenki', '鄂温克族'],
  ['Deang', '德昂族'], ['Bonan', '保安族'], ['Yugur', '裕固族'], ['Gin', '京族'], ['Tatar', '塔塔尔族'],
  ['Derung', '独龙族'], ['Oroqen', '鄂伦春族'], ['Hezhen', '赫哲族'], ['Monba', '门巴族'], ['Lhoba', '珞巴族'],
  ['Jino', '基诺族'],
];

export const ETHNIC_GROUPS: ReadonlyMap<string, EthnicGroup> = new Map(
  [
    ...GROUPS.map(([en, zh], index) => ({ code: String(index + 1).padStart(2, '0'), en, zh })),
    { code: '97', en: 'Other', zh: '其他' },
    { code: '98', en: 'Naturalised citizen of foreign origin', zh: '外国血统中国籍人士' },
  ].map((group) => [group.code, group]),
);
