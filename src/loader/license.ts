// The kernel's license_is_gpl_compatible(): only these exact strings unlock gpl_only helpers.
const GPL_COMPATIBLE = new Set(['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL']);

export function isGplCompatible(license: string): boolean {
  return GPL_COMPATIBLE.has(license);
}
