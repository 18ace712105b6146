module.exports = { displayName: 'analytics-subgraph', preset: '../../jest.preset.js' };
