module.exports = { displayName: 'notifications-subgraph', preset: '../../jest.preset.js' };
