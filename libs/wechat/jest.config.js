module.exports = { displayName: 'wechat', preset: '../../jest.preset.js' };
