// Size limits for data that came over the network: refused with a clear error rather
// than exhausting memory at boot (a gzip bomb decompresses to gigabytes).
export const MAX_USERDATA_BYTES = 16 * 1024 * 1024;
export const MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;
