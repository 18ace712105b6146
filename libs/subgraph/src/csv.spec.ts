import { beijingMinute, csvCell, toCsv } from './csv';

describe('the ledger CSV', () => {
  it('starts with a byte-order mark, ends lines with CRLF and quotes what needs quoting', () => {
    const csv = toCsv(['订单编号', '需求'], [['KZ-20261128-0001', '器材损坏，需要更换'], ['KZ-20261128-0002', 'a, "b"\n第二行']]);
    expect(csv).toBe('\uFEFF订单编号,需求\r\nKZ-20261128-0001,器材损坏，需要更换\r\nKZ-20261128-0002,"a, ""b""\n第二行"\r\n');
  });

  it('keeps a resident’s words from running as a spreadsheet formula', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+86 139')).toBe("'+86 139");
    expect(csvCell(-5)).toBe('-5'); // numbers are numbers
    expect(csvCell(null)).toBe('');
  });

  it('prints times in Beijing time', () => {
    expect(beijingMinute(new Date('2026-11-28T16:30:00Z'))).toBe('2026-11-29 00:30');
    expect(beijingMinute(null)).toBeNull();
  });
});
