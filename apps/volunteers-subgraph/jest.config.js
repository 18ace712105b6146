module.exports = { displayName: 'volunteers-subgraph', preset: '../../jest.preset.js' };
