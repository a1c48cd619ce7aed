import {
  type BrandVariants,
  createDarkTheme,
  createLightTheme,
  type Theme,
} from '@fluentui/react-components';

// The bank's brand ramp: a deep teal (shade 80 is the primary in light mode). Colours live here only;
// components use `tokens`.
const bankTeal: BrandVariants = {
  10: '#001716',
  20: '#002624',
  30: '#003432',
  40: '#00413F',
  50: '#004E4B',
  60: '#005B58',
  70: '#006865',
  80: '#007572',
  90: '#1A827F',
  100: '#348F8C',
  110: '#4C9D9A',
  120: '#64AAA8',
  130: '#7DB8B6',
  140: '#97C6C4',
  150: '#B2D4D3',
  160: '#CDE3E2',
};

export const lightTheme: Theme = createLightTheme(bankTeal);

// Fluent's guidance for dark brand themes: lighter shades for brand text so it keeps its contrast.
export const darkTheme: Theme = {
  ...createDarkTheme(bankTeal),
  colorBrandForeground1: bankTeal[110],
  colorBrandForeground2: bankTeal[120],
  colorBrandForegroundLink: bankTeal[120],
  colorBrandForegroundLinkHover: bankTeal[130],
};
