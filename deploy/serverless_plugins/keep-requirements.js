'use strict';

// Per-function choice of the packages serverless-python-requirements installed.
//
// That plugin injects every installed package into every Python function of a module. For each
// function named under `custom.keepRequirements`, this plugin injects only the listed top-level
// packages instead: the Cognito triggers need Powertools, not FastAPI, pydantic or cryptography,
// and a small zip loads faster inside Cognito's 5-second trigger budget.
//
// How: osls writes the zips during `package:createDeploymentArtifacts`, and the requirements
// plugin injects in `after:package:createDeploymentArtifacts`, skipping functions whose runtime
// is not Python. This plugin (listed after it) gives the listed functions a placeholder runtime
// during the first hook and, in the second (after-hooks run in plugin order), restores it and
// adds the kept packages from the installed requirements folder itself.

const fs = require('fs');
const path = require('path');
const JSZip = require('jszip');

const PLACEHOLDER_RUNTIME = 'keep-requirements-placeholder';

// `pkg/mod.py` -> `pkg`, `six.py` -> `six`, `_cffi_backend.cpython-312-x86_64-linux-gnu.so` ->
// `_cffi_backend`, `pkg-1.0.dist-info/METADATA` -> `pkg`: the package a path belongs to.
function topLevelName(relativePath) {
  const first = relativePath.split(path.sep)[0];
  return first.split(/[.-]/)[0];
}

function filesUnder(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

class KeepRequirements {
  constructor(serverless) {
    this.serverless = serverless;
    this.hidden = new Map();
    serverless.configSchemaHandler.defineCustomProperties({
      properties: {
        keepRequirements: {
          type: 'object',
          additionalProperties: { type: 'array', items: { type: 'string' } },
        },
      },
    });
    this.hooks = {
      'package:createDeploymentArtifacts': () => this.hideFromRequirementsPlugin(),
      'after:package:createDeploymentArtifacts': () => this.injectKeptPackages(),
    };
  }

  listed() {
    const keep = (this.serverless.service.custom || {}).keepRequirements || {};
    const functions = this.serverless.service.functions || {};
    return Object.entries(keep).map(([name, packages]) => {
      if (!functions[name]) {
        throw new Error(`custom.keepRequirements names an unknown function: ${name}`);
      }
      return [name, functions[name], new Set(packages)];
    });
  }

  hideFromRequirementsPlugin() {
    if (!this.serverless.service.package.individually) {
      throw new Error('custom.keepRequirements needs package.individually: true');
    }
    for (const [name, func, packages] of this.listed()) {
      this.hidden.set(name, { func, packages, runtime: func.runtime });
      func.runtime = PLACEHOLDER_RUNTIME;
    }
  }

  async injectKeptPackages() {
    const installed = path.join(this.serverless.serviceDir, '.serverless', 'requirements');
    const files = fs.existsSync(installed)
      ? filesUnder(installed).map((file) => path.relative(installed, file))
      : [];
    for (const [name, { func, packages, runtime }] of this.hidden) {
      if (runtime === undefined) {
        delete func.runtime;
      } else {
        func.runtime = runtime;
      }
      const kept = files.filter((file) => packages.has(topLevelName(file)));
      const found = new Set(kept.map(topLevelName));
      const missing = [...packages].filter((pkg) => !found.has(pkg));
      if (missing.length > 0) {
        throw new Error(`function ${name}: no installed requirement named ${missing.join(', ')}`);
      }
      const artifact = func.package && func.package.artifact;
      const zip = await JSZip.loadAsync(fs.readFileSync(artifact));
      for (const file of kept) {
        const full = path.join(installed, file);
        zip.file(file.split(path.sep).join('/'), fs.readFileSync(full), {
          unixPermissions: fs.statSync(full).mode,
          date: new Date(0),
          createFolders: false,
        });
      }
      const buffer = await zip.generateAsync({
        type: 'nodebuffer',
        platform: 'UNIX',
        compression: 'DEFLATE',
        compressionOptions: { level: 9 },
      });
      fs.writeFileSync(artifact, buffer);
    }
    this.hidden.clear();
  }
}

module.exports = KeepRequirements;
