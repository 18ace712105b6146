module.exports = { displayName: 'analytics-worker', preset: '../../jest.preset.js' };
