/** sha256 (hex) of the file at `path`. */
export declare function hashFile(path: string): string;
