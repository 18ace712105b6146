module.exports = { displayName: 'notification-worker', preset: '../../jest.preset.js' };
