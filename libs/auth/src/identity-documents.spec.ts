import { ageOn, birthAndSexOf, isValidDocumentNumber, maskDocumentNumber } from './identity-documents';

describe('identity documents', () => {
  it('reads sex and birth date from a resident ID: 50023419850312462X is a woman born 1985-03-12', () => {
    expect(isValidDocumentNumber('RESIDENT_ID', '50023419850312462x')).toBe(true);
    expect(birthAndSexOf('RESIDENT_ID', '50023419850312462X')).toEqual({ birthDate: '1985-03-12', gender: 'F' });
    expect(birthAndSexOf('RESIDENT_ID', '11010519491231002X')).toEqual({ birthDate: '1949-12-31', gender: 'F' });
    expect(birthAndSexOf('RESIDENT_ID', '500234199001011230')).toBeNull(); // wrong check character
  });

  it('checks the residence permits of Hong Kong, Macao and Taiwan residents by prefix and check character', () => {
    expect(isValidDocumentNumber('HK_MACAO_RESIDENCE_PERMIT', '810000199001011230')).toBe(true);
    expect(isValidDocumentNumber('HK_MACAO_RESIDENCE_PERMIT', '820000198002290048')).toBe(true);
    expect(isValidDocumentNumber('HK_MACAO_RESIDENCE_PERMIT', '810000199001011231')).toBe(false); // check character
    expect(isValidDocumentNumber('HK_MACAO_RESIDENCE_PERMIT', '830000200012310024')).toBe(false); // Taiwan's prefix
    expect(isValidDocumentNumber('TAIWAN_RESIDENCE_PERMIT', '830000200012310024')).toBe(true);
    expect(isValidDocumentNumber('TAIWAN_RESIDENCE_PERMIT', '50023419850312462X')).toBe(false); // a mainland number
    expect(birthAndSexOf('TAIWAN_RESIDENCE_PERMIT', '830000200012310024')).toEqual({ birthDate: '2000-12-31', gender: 'F' });
    expect(birthAndSexOf('HK_MACAO_RESIDENCE_PERMIT', '810000199001011230')).toEqual({ birthDate: '1990-01-01', gender: 'M' });
  });

  it('checks travel permits, passports and foreign permanent resident cards by their own formats, without birth or sex', () => {
    expect(isValidDocumentNumber('HK_MACAO_TRAVEL_PERMIT', 'H1234567800')).toBe(true);
    expect(isValidDocumentNumber('HK_MACAO_TRAVEL_PERMIT', 'm12345678')).toBe(true);
    expect(isValidDocumentNumber('HK_MACAO_TRAVEL_PERMIT', 'X12345678')).toBe(false);
    expect(isValidDocumentNumber('HK_MACAO_TRAVEL_PERMIT', 'H123456789')).toBe(false); // 9 digits
    expect(isValidDocumentNumber('TAIWAN_TRAVEL_PERMIT', '12345678')).toBe(true);
    expect(isValidDocumentNumber('TAIWAN_TRAVEL_PERMIT', '1234567')).toBe(false);
    expect(isValidDocumentNumber('PASSPORT', 'E1234 5678')).toBe(true);
    expect(isValidDocumentNumber('PASSPORT', 'AB12')).toBe(false);
    expect(isValidDocumentNumber('PASSPORT', '护照123456')).toBe(false);
    expect(isValidDocumentNumber('FOREIGN_PERMANENT_RESIDENT_ID', '91560019900101001X')).toBe(true);
    expect(isValidDocumentNumber('FOREIGN_PERMANENT_RESIDENT_ID', '915600199001010010')).toBe(false); // check character
    expect(isValidDocumentNumber('FOREIGN_PERMANENT_RESIDENT_ID', '50023419850312462X')).toBe(false); // not 9…
    expect(isValidDocumentNumber('FOREIGN_PERMANENT_RESIDENT_ID', 'USA110090010188')).toBe(true); // 2017 card
    expect(birthAndSexOf('PASSPORT', 'E12345678')).toBeNull();
    expect(birthAndSexOf('FOREIGN_PERMANENT_RESIDENT_ID', '91560019900101001X')).toBeNull();
  });

  it('masks every type, keeping only its ends', () => {
    expect(maskDocumentNumber('RESIDENT_ID', '50023419850312462X')).toBe('500234********462X');
    expect(maskDocumentNumber('PASSPORT', 'E12345678')).toBe('E1*****78');
    expect(maskDocumentNumber('TAIWAN_TRAVEL_PERMIT', '12345678')).toBe('1******8');
  });

  it('counts age in whole years on the Beijing calendar day', () => {
    expect(ageOn('2012-12-07', new Date('2026-12-06T15:59:00Z'))).toBe(13); // 23:59 on 6 December in Beijing
    expect(ageOn('2012-12-07', new Date('2026-12-06T16:00:00Z'))).toBe(14); // 00:00 on 7 December in Beijing
    expect(ageOn('2008-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(17);
    expect(ageOn('2008-02-29', new Date('2026-03-01T12:00:00Z'))).toBe(18);
  });
});
