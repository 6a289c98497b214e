// Types of api-report.mjs, for the test that runs it (test/package/api-report.test.ts).
export function entryPoints(): Promise<[specifier: string, typesFile: string][]>;
export function reportName(specifier: string): string;
export function generate(outDir: string): Promise<string[]>;
