// The public API report: what `passport-7geese` and `passport-7geese/testing` export, with every
// signature, in api/*.api.md. `npm run api:check` (in CI) fails when the built declarations differ
// from the committed report, so that every change to the public surface is deliberate;
// `npm run api:update` rewrites the report after such a change. Needs `npm run build` first.
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const update = process.argv.includes('--update');
const entries = [
  { name: 'passport-7geese', file: 'dist/cjs/index.d.ts' },
  { name: 'passport-7geese-testing', file: 'dist/cjs/testing/index.d.ts' },
];

let failed = false;
for (const entry of entries) {
  const config = ExtractorConfig.prepare({
    configObject: {
      projectFolder: root,
      mainEntryPointFilePath: join(root, entry.file),
      compiler: { tsconfigFilePath: join(root, 'tsconfig.build.json') },
      apiReport: { enabled: true, reportFileName: `${entry.name}.api.md`, reportFolder: join(root, 'api'), reportTempFolder: join(root, 'node_modules/.cache/api-report') },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      messages: {
        extractorMessageReporting: {
          default: { logLevel: 'warning', addToApiReportFile: true },
          'ae-missing-release-tag': { logLevel: 'none' },
          'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        },
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: join(root, 'scripts', `api-extractor.${entry.name}.json`),
    packageJsonFullPath: join(root, 'package.json'),
  });
  const result = Extractor.invoke(config, { localBuild: update, showVerboseMessages: false });
  if (result.apiReportChanged && !update) {
    console.error(`The public API of ${entry.name} changed: review node_modules/.cache/api-report/${entry.name}.api.md, then run npm run api:update and commit api/.`);
    failed = true;
  } else if (!result.succeeded) {
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
