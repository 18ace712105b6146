module.exports = { displayName: 'org-replica', preset: '../../jest.preset.js' };
