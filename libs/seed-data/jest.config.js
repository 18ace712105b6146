module.exports = { displayName: 'seed-data', preset: '../../jest.preset.js' };
