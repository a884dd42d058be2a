// /version: the Kubernetes release this server's API follows.
export const versionInfo = () => ({
  major: '1', minor: '32', gitVersion: 'v1.32.0-tskube', gitCommit: '', gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z', goVersion: `node${process.versions.node}`, compiler: 'tsc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
});
