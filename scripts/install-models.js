#!/usr/bin/env node
// Places the four face models Gatehouse uses (copied from the installed @vladmandic/face-api)
// under models/ and checks every copied byte against the committed models/manifest.json, so a
// changed model can only arrive through a deliberate, reviewed manifest change.
//
//   node scripts/install-models.js                   copy and verify (run by postinstall)
//   node scripts/install-models.js --write-manifest  regenerate the manifest after a deliberate upgrade
//   --models-dir DIR                                 install somewhere else (tests)
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const MODELS = ['tiny_face_detector_model', 'ssd_mobilenetv1_model', 'face_landmark_68_model', 'face_recognition_model'];
const PACKAGE = '@vladmandic/face-api';
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: options } = parseArgs({
  options: {
    'write-manifest': { type: 'boolean', default: false },
    'models-dir': { type: 'string', default: join(projectRoot, 'models') },
  },
});
const modelsDir = resolve(options['models-dir']);
const manifestPath = join(modelsDir, 'manifest.json');

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

function fail(message) {
  process.stderr.write(`install-models: ${message}\n`);
  process.exit(1);
}

/** The files of one model as the package ships them: its weights manifest, then the shards it names. */
async function modelFiles(sourceDir, model) {
  const manifestFile = `${model}-weights_manifest.json`;
  const groups = JSON.parse(await readFile(join(sourceDir, manifestFile), 'utf8'));
  return [manifestFile, ...groups.flatMap((group) => group.paths)];
}

async function readSource() {
  const requireFromProject = createRequire(join(projectRoot, 'package.json'));
  const packageDir = dirname(requireFromProject.resolve(`${PACKAGE}/package.json`));
  const packageJson = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8'));
  const sourceDir = join(packageDir, 'model');
  const files = [];
  for (const model of MODELS) {
    for (const file of await modelFiles(sourceDir, model)) {
      const bytes = await readFile(join(sourceDir, file));
      files.push({ model, file, bytes, sha256: sha256(bytes) });
    }
  }
  return { version: packageJson.version, licence: packageJson.license, files };
}

function manifestOf(source) {
  return {
    comment: 'Written by `node scripts/install-models.js --write-manifest`; checked by the install and by the face worker at start. See docs/FACE.md.',
    files: source.files.map(({ model, file, bytes, sha256: digest }) => ({
      model,
      file,
      sha256: digest,
      bytes: bytes.length,
      package: PACKAGE,
      version: source.version,
      licence: source.licence,
    })),
  };
}

async function readManifest() {
  try {
    return JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (error) {
    return fail(`cannot read ${manifestPath} (${error.code ?? error.message}); to create it from the installed ${PACKAGE}, run: node scripts/install-models.js --write-manifest`);
  }
}

/** Refuses a source whose files differ from the manifest: an upgrade must update the manifest on purpose. */
function checkSourceAgainst(manifest, source) {
  const upgradeHint = `If ${PACKAGE} was upgraded on purpose, run "node scripts/install-models.js --write-manifest" and commit models/manifest.json.`;
  const expected = new Map(manifest.files.map((entry) => [entry.file, entry]));
  for (const file of source.files) {
    const entry = expected.get(file.file);
    if (!entry) fail(`${file.file} (from ${PACKAGE}@${source.version}) is not in ${manifestPath}. ${upgradeHint}`);
    if (entry.sha256 !== file.sha256) {
      fail(`${file.file}: ${PACKAGE}@${source.version} ships sha256 ${file.sha256}, the manifest expects ${entry.sha256} (from ${entry.package}@${entry.version}). ${upgradeHint}`);
    }
    expected.delete(file.file);
  }
  if (expected.size > 0) fail(`${[...expected.keys()].join(', ')} listed in the manifest but not shipped by ${PACKAGE}@${source.version}. ${upgradeHint}`);
}

async function copyAndVerify(manifest, source) {
  await mkdir(modelsDir, { recursive: true });
  for (const file of source.files) {
    const target = join(modelsDir, file.file);
    await writeFile(`${target}.partial`, file.bytes);
    await rename(`${target}.partial`, target);
  }
  for (const entry of manifest.files) {
    const actual = sha256(await readFile(join(modelsDir, entry.file)));
    if (actual !== entry.sha256) fail(`${entry.file} in ${modelsDir} has sha256 ${actual} after copying, expected ${entry.sha256}; check the disk.`);
  }
}

const source = await readSource();
if (options['write-manifest']) {
  await mkdir(modelsDir, { recursive: true });
  await writeFile(manifestPath, `${JSON.stringify(manifestOf(source), null, 2)}\n`);
  process.stdout.write(`install-models: wrote ${manifestPath} for ${PACKAGE}@${source.version}\n`);
}
const manifest = await readManifest();
checkSourceAgainst(manifest, source);
await copyAndVerify(manifest, source);
process.stdout.write(`install-models: ${manifest.files.length} files from ${PACKAGE}@${source.version} verified in ${modelsDir}\n`);
