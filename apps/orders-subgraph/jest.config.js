module.exports = { displayName: 'orders-subgraph', preset: '../../jest.preset.js' };
