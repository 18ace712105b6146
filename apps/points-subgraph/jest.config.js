module.exports = { displayName: 'points-subgraph', preset: '../../jest.preset.js' };
