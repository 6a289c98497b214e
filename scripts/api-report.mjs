// The API report: one file per entry point of package.json "exports", in api/, made by API
// Extractor from the built declarations (dist/*.d.ts). `npm run api` rewrites them; the
// package tests regenerate them into a temporary folder and fail when they differ, so every
// change of the public surface shows in review. Every exported symbol must have a doc comment.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Each subpath of "exports" with its types file: [['netconfkit', 'dist/index.d.ts'], ['netconfkit/fleet', …], …]. */
export async function entryPoints() {
  const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
  return Object.entries(pkg.exports)
    .filter(([subpath]) => !subpath.endsWith('.json'))
    .map(([subpath, target]) => [path.posix.join(pkg.name, subpath), path.posix.normalize(target.import.types)]);
}

/** The report's file name for a subpath: netconfkit.api.md, netconfkit-fleet.api.md, … */
export const reportName = (specifier) => `${specifier.replace(/\//g, '-')}.api.md`;

/** The names each entry point exports, read from its declarations. */
function exportedNames(typesFiles) {
  const program = ts.createProgram(typesFiles, { strict: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, types: ['node'], noEmit: true });
  const checker = program.getTypeChecker();
  return typesFiles.map((f) => {
    const file = program.getSourceFile(f);
    if (!file) throw new Error(`${path.relative(ROOT, f)} is missing: build first (npx tsup)`);
    return new Set(checker.getExportsOfModule(checker.getSymbolAtLocation(file)).map((s) => s.name));
  });
}

/**
 * Writes every entry point's report into `outDir`. Returns the problems found (an undocumented
 * export, a type used by the API but exported by no entry, …), one line each; none means clean.
 */
export async function generate(outDir) {
  await mkdir(outDir, { recursive: true });
  const work = path.join(outDir, '.work');
  const problems = [];
  const entries = await entryPoints();
  // A type that one entry point uses and another exports (Session in netconfkit/fleet) is fine.
  const exportedSomewhere = new Set(exportedNames(entries.map(([, types]) => path.join(ROOT, types))).flatMap((names) => [...names]));
  for (const [specifier, types] of entries) {
    const config = ExtractorConfig.prepare({
      configObjectFullPath: path.join(ROOT, 'api-extractor.json'),
      packageJsonFullPath: path.join(ROOT, 'package.json'),
      configObject: {
        projectFolder: ROOT,
        mainEntryPointFilePath: path.join(ROOT, types),
        compiler: { overrideTsconfig: { compilerOptions: { strict: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022', 'esnext.disposable'], types: ['node'] }, include: [types] } },
        apiReport: { enabled: true, reportFileName: reportName(specifier).replace(/\.api\.md$/, ''), reportFolder: outDir, reportTempFolder: work },
        docModel: { enabled: false },
        dtsRollup: { enabled: false },
        tsdocMetadata: { enabled: false },
        newlineKind: 'lf',
        messages: {
          compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
          extractorMessageReporting: {
            default: { logLevel: ExtractorLogLevel.Warning },
            'ae-undocumented': { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
            'ae-forgotten-export': { logLevel: ExtractorLogLevel.Warning, addToApiReportFile: false },
            // No release tags (@public, @beta): what an entry point exports is public.
            'ae-missing-release-tag': { logLevel: ExtractorLogLevel.None },
            // Internal members (marked @internal) keep their names, no leading underscore.
            'ae-internal-missing-underscore': { logLevel: ExtractorLogLevel.None },
          },
          tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
        },
      },
    });
    const result = Extractor.invoke(config, {
      localBuild: true,
      showVerboseMessages: false,
      messageCallback(message) {
        message.handled = true;
        if (message.logLevel !== ExtractorLogLevel.Warning && message.logLevel !== ExtractorLogLevel.Error) return;
        // Every exported symbol needs a doc comment; a member without one is marked
        // "(undocumented)" in the report. Top-level declarations start a line of the .d.ts.
        if (message.messageId === 'ae-undocumented' && message.sourceFileColumn !== 1) return;
        const forgotten = message.messageId === 'ae-forgotten-export' && /"([^"]+)"/.exec(message.text);
        if (forgotten && exportedSomewhere.has(forgotten[1])) return;
        if (message.messageId.startsWith('console-')) return; // "report created/changed": compared by the caller
        const where = message.sourceFilePath ? ` (${path.relative(ROOT, message.sourceFilePath)}:${message.sourceFileLine})` : '';
        problems.push(`${specifier}: ${message.messageId}: ${message.text}${where}`);
      },
    });
    if (!result.succeeded && problems.length === 0) problems.push(`${specifier}: API Extractor failed`);
  }
  await rm(work, { recursive: true, force: true });
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = path.join(ROOT, 'api');
  // Reports of entry points that are gone go too.
  await rm(out, { recursive: true, force: true });
  const problems = await generate(out);
  for (const p of problems) console.error(p);
  if (problems.length > 0) {
    console.error(`api: ${problems.length} problem(s); the reports in api/ were written anyway`);
    process.exitCode = 1;
  }
}
