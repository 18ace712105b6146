module.exports = { displayName: 'ops-dashboard', preset: '../../jest.preset.js' };
