// Regions and availability zones Wayfinder presents. Zone ids follow AWS's `<abbrev>-az<n>` form.
const ZONE_COUNT: Record<string, number> = {
  'us-east-1': 6,
  'us-west-2': 4,
  'ap-northeast-1': 3,
  'ap-northeast-2': 4,
};

export const KNOWN_REGIONS = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-south-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-northeast-3',
];

const WORD: Record<string, string> = { east: 'e', west: 'w', north: 'n', south: 's', central: 'c', northeast: 'ne', northwest: 'nw', southeast: 'se', southwest: 'sw' };

export function regionAbbrev(region: string): string {
  const [geo = '', dir = '', num = ''] = region.split('-');
  return `${geo}${WORD[dir] ?? dir.slice(0, 1)}${num}`;
}

export interface Zone {
  zoneName: string;
  zoneId: string;
  region: string;
}

export function zonesOf(region: string): Zone[] {
  const n = ZONE_COUNT[region] ?? 3;
  return Array.from({ length: n }, (_, i) => ({
    zoneName: `${region}${String.fromCharCode(97 + i)}`,
    zoneId: `${regionAbbrev(region)}-az${i + 1}`,
    region,
  }));
}
