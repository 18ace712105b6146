import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { DomainError } from '@kz/errors';
import { CertificatePdfOptions, PrintableCertificate, renderCertificatePdf } from './certificate-pdf';
import { CertificateSigner, signedDocumentOf } from './certificate-signing';

/**
 * The certificate PDF looked at as a person would: rendered to PNG pages with poppler's pdftoppm (pages exist, are
 * not blank), and read back with pdftotext (the title, the name, the total, the repeated table header, the watermark).
 */
const run = promisify(execFile);
const OPTIONS: CertificatePdfOptions = {
  fontPath: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc',
  fontFamily: 'WenQuanYiZenHei',
  verifyUrl: 'https://zyfw.kz.gov.cn/verify/',
};

function aCertificate(lineCount: number, status: PrintableCertificate['status'] = 'VALID'): PrintableCertificate {
  const lines = Array.from({ length: lineCount }, (_, index) => ({
    recordId: String(index + 1),
    date: `2026-03-${String((index % 28) + 1).padStart(2, '0')}`,
    activity: index % 3 === 0 ? `汉丰湖滨护湖志愿服务暨垃圾分类宣传活动（第${index + 1}期）` : '腾龙广场环境整治',
    content: index % 4 === 0 ? '为社区独居老人上门送餐、打扫卫生并陪伴聊天，了解老人生活需求' : '清扫广场垃圾',
    hours: index % 2 === 0 ? 1.5 : 0.83,
  }));
  const totalHours = Math.round(lines.reduce((sum, line) => sum + line.hours * 100, 0)) / 100;
  const contents = {
    number: 'ZYFW-ABCDEFGHIJKLMNOPQRSTUVWXYZ',
    volunteerName: '欧阳晓燕',
    documentType: 'RESIDENT_ID',
    documentNumberMasked: '500234**********2X',
    nationalVolunteerNumber: 'N-500-77',
    lines,
    totalHours,
    hoursRule: 'DECIMAL_2',
    unitName: '迎宾社区',
    legalName: '重庆市开州区汉丰街道迎宾社区居民委员会',
    uscc: '91440300708461136T',
    headName: '李主任',
    handlerName: '王站长',
    issueDate: '2026-04-02',
    periodFrom: '2026-03-01',
    periodTo: '2026-03-28',
  };
  const signer = new CertificateSigner('1f'.repeat(32));
  return { ...contents, status, issuedAt: new Date('2026-04-02T03:00:00Z'), signature: signer.sign(contents), signedDocument: signedDocumentOf(contents) };
}

describe('the certificate PDF', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kz-certificate-pdf-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function text(file: string, page?: number): Promise<string> {
    const range = page ? ['-f', String(page), '-l', String(page)] : [];
    return (await run('pdftotext', [...range, '-raw', file, '-'])).stdout;
  }

  it('spans pages with the header repeated, every page drawn in CJK glyphs, the title, name and total readable', async () => {
    const certificate = aCertificate(60);
    const pdf = await renderCertificatePdf(certificate, OPTIONS);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const file = join(dir, 'certificate.pdf');
    await writeFile(file, pdf);

    await run('pdftoppm', ['-png', '-r', '50', file, join(dir, 'page')]);
    const pages = (await readdir(dir)).filter((name) => name.startsWith('page') && name.endsWith('.png')).sort();
    expect(pages.length).toBeGreaterThanOrEqual(2);
    for (const page of pages) {
      const { data, info } = await sharp(join(dir, page)).greyscale().raw().toBuffer({ resolveWithObject: true });
      expect(info.width).toBeGreaterThan(350); // A4 at 50 dpi is 413 × 585
      let dark = 0;
      for (const value of data) if (value < 128) dark += 1;
      // A blank page has none; a page of table and text has thousands of dark pixels even at 50 dpi.
      expect(dark).toBeGreaterThan(1500);
    }

    const all = await text(file);
    expect(all).toContain('志愿服务记录证明');
    expect(all).toContain('欧阳晓燕');
    expect(all).toContain(`共计 ${certificate.totalHours} 小时`);
    expect(all).toContain('500234**********2X');
    expect(all).toContain('重庆市开州区汉丰街道迎宾社区居民委员会');
    expect(all).toContain('91440300708461136T');
    expect(all).toContain('负责人：李主任');
    expect(all).toContain('经办人：王站长');
    expect(all).toContain('出具日期：2026年4月2日');
    expect(all).toContain(certificate.signature!.keyId);
    expect(all).toContain(certificate.signature!.digest);
    expect(all).toContain('https://zyfw.kz.gov.cn/verify/ZYFW-ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    expect(all).not.toContain('已撤销');
    // The table goes on over the page with its header again, and the page numbers say how many.
    const second = await text(file, 2);
    expect(second).toContain('服务日期');
    expect(second).toContain('时长（小时）');
    expect(second).toContain(`第 2 页 / 共 ${pages.length} 页`);
    // Every line is listed once: the last row number is there, and the total row.
    expect(all).toMatch(/\n60 2026-03-04 /);
    expect(all).toContain(`合计 60 条记录 ${certificate.totalHours}`);

    // The canonical document the signature covers travels inside the PDF, as the attachment certificate.json.
    expect((await run('pdfdetach', ['-list', file])).stdout).toContain('certificate.json');
    const attached = join(dir, 'certificate.json');
    await run('pdfdetach', ['-save', '1', '-o', attached, file]);
    expect(await readFile(attached, 'utf8')).toBe(certificate.signedDocument);
  });

  it('is the same file every time for the same certificate, and carries 已撤销 once revoked', async () => {
    const certificate = aCertificate(3);
    const first = await renderCertificatePdf(certificate, OPTIONS);
    expect((await renderCertificatePdf(certificate, OPTIONS)).equals(first)).toBe(true);
    const revoked = await renderCertificatePdf({ ...certificate, status: 'REVOKED' }, OPTIONS);
    expect(revoked.equals(first)).toBe(false);
    const file = join(dir, 'revoked.pdf');
    await writeFile(file, revoked);
    // The watermark is drawn at an angle, so pdftotext reads it a glyph a line.
    const revokedText = await text(file);
    expect(revokedText).toMatch(/\n已\n撤\n销\n/);
    expect(revokedText).toContain('志愿服务记录证明\n');
    expect(await text(join(dir, 'certificate.pdf'))).not.toMatch(/已\n撤\n销/);
  });

  it('without the font file: SERVICE_UNAVAILABLE with a message key, not a crash', async () => {
    const missing = renderCertificatePdf(aCertificate(1), { ...OPTIONS, fontPath: join(dir, 'no-such-font.ttc') });
    await expect(missing).rejects.toBeInstanceOf(DomainError);
    await expect(missing).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE', messageKey: 'certificate.fontMissing' });
  });
});
