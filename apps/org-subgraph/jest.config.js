module.exports = { displayName: 'org-subgraph', preset: '../../jest.preset.js' };
