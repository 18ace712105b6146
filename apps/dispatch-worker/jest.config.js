module.exports = { displayName: 'dispatch-worker', preset: '../../jest.preset.js' };
