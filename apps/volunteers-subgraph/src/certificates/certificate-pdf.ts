import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import QRCode from 'qrcode';
import { DOCUMENT_TYPE_ZH, DocumentType } from '@kz/auth';
import { ServiceUnavailable } from '@kz/errors';
import type { CertificateSignature } from './certificate-signing';

/** Where the PDF's font comes from and where its QR code points (`CERTIFICATE_FONT`, `…_FONT_FAMILY`, `…_VERIFY_URL`). */
export interface CertificatePdfOptions {
  fontPath: string;
  /** The face's PostScript name inside a collection (TTC); empty: the first face, or a single font. */
  fontFamily: string;
  /** The verification address; the number is appended. */
  verifyUrl: string;
}

/** What the PDF shows: the frozen contents, the number and status, and the signature when there is one. */
export interface PrintableCertificate {
  number: string;
  status: 'VALID' | 'SUPERSEDED' | 'REVOKED';
  volunteerName: string;
  documentType: string | null;
  documentNumberMasked: string | null;
  nationalVolunteerNumber: string | null;
  lines: { date: string; activity: string; content: string; hours: number }[];
  totalHours: number;
  legalName: string;
  uscc: string;
  headName: string;
  handlerName: string;
  issueDate: string;
  periodFrom: string;
  periodTo: string;
  /** When it was issued: the PDF's creation date, so the same certificate always gives the same file. */
  issuedAt: Date;
  signature: CertificateSignature | null;
  /** The canonical document the signature covers, attached to the PDF as `certificate.json`; null when unsigned. */
  signedDocument: string | null;
}

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = { top: 56, bottom: 64, left: 56, right: 56 };
const CONTENT_WIDTH = A4.width - MARGIN.left - MARGIN.right;
const FOOTER_Y = A4.height - 44;
const TABLE_BOTTOM = A4.height - MARGIN.bottom - 8;
const COLUMNS = [
  { title: '序号', width: 34, align: 'center' as const },
  { title: '服务日期', width: 72, align: 'center' as const },
  { title: '活动/订单', width: 150, align: 'left' as const },
  { title: '服务内容', width: 161.28, align: 'left' as const },
  { title: '时长（小时）', width: 66, align: 'right' as const },
];
const CELL_PAD = 4;
const TABLE_FONT_SIZE = 9;
const WATERMARK: Record<PrintableCertificate['status'], string | null> = { VALID: null, SUPERSEDED: '已失效', REVOKED: '已撤销' };

/** `2026-03-02` → `2026年3月2日`. */
export function chineseDate(day: string): string {
  const [year, month, date] = day.split('-').map(Number);
  return `${year}年${month}月${date}日`;
}

/** Hours as the certificate prints them: at most two decimals, no trailing zeros (1.5, 0.83, 12). */
export function hoursText(hours: number): string {
  return String(Math.round(hours * 100) / 100);
}

/** Thrown, as SERVICE_UNAVAILABLE, when the configured font file is not on this machine. */
export function requireFont(options: CertificatePdfOptions): void {
  if (!existsSync(options.fontPath)) throw new ServiceUnavailable('certificate.fontMissing');
}

/**
 * The certificate as a PDF (志愿服务记录证明), in Chinese, on A4: title, number, who and what, the records in a table
 * that breaks across pages with its header repeated, the total, the issuing unit with its 负责人 and 经办人, the issue
 * date, a QR code to the verification address with the number under it, the platform's signature (key id, digest,
 * signature), and a 已撤销 / 已失效 watermark when the certificate no longer stands. Deterministic: the same
 * certificate in the same status gives the same bytes (creation date = issue time, no random ids).
 */
export async function renderCertificatePdf(certificate: PrintableCertificate, options: CertificatePdfOptions): Promise<Buffer> {
  requireFont(options);
  const verifyUrl = `${options.verifyUrl}${certificate.number}`;
  const qr = QRCode.create(verifyUrl, { errorCorrectionLevel: 'M' });
  const doc = new PDFDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    autoFirstPage: true,
    info: {
      Title: `志愿服务记录证明 ${certificate.number}`,
      Author: certificate.legalName,
      Subject: '志愿服务记录证明',
      Creator: 'kz-practice',
      Producer: 'kz-practice',
      CreationDate: certificate.issuedAt,
      ModDate: certificate.issuedAt,
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', () => resolve());
    doc.on('error', reject);
  });
  doc.registerFont('cjk', options.fontPath, options.fontFamily || undefined);
  doc.font('cjk');

  if (certificate.signedDocument) {
    doc.file(Buffer.from(certificate.signedDocument, 'utf8'), {
      name: 'certificate.json',
      type: 'application/json',
      description: '签名所覆盖的证明规范文本（kz-service-certificate/1）',
      creationDate: certificate.issuedAt,
      modifiedDate: certificate.issuedAt,
    });
  }

  // ── title and opening ──
  // No letter spacing: the title stays one word for search and copy (pdftotext reads it whole).
  doc.fontSize(26).fillColor('#000').text('志愿服务记录证明', MARGIN.left, MARGIN.top, { width: CONTENT_WIDTH, align: 'center' });
  doc.moveDown(0.4);
  doc.fontSize(10).fillColor('#333').text(`证明编号：${certificate.number}`, { width: CONTENT_WIDTH, align: 'right' });
  doc.moveDown(1);
  const who = [
    certificate.documentType ? `证件类型：${DOCUMENT_TYPE_ZH[certificate.documentType as DocumentType] ?? certificate.documentType}` : null,
    certificate.documentNumberMasked ? `证件号码：${certificate.documentNumberMasked}` : null,
    certificate.nationalVolunteerNumber ? `全国志愿者编号：${certificate.nationalVolunteerNumber}` : null,
  ].filter(Boolean);
  const period =
    certificate.periodFrom === certificate.periodTo
      ? chineseDate(certificate.periodFrom)
      : `${chineseDate(certificate.periodFrom)}至${chineseDate(certificate.periodTo)}期间`;
  doc
    .fontSize(12)
    .fillColor('#000')
    .text(
      `兹证明 ${certificate.volunteerName}${who.length ? `（${who.join('，')}）` : ''}于${period}参加我单位组织的志愿服务活动，` +
        `经记录并核实的志愿服务时长共计 ${hoursText(certificate.totalHours)} 小时。志愿服务记录明细如下：`,
      { width: CONTENT_WIDTH, align: 'justify', lineGap: 6, indent: 24 },
    );
  doc.moveDown(0.8);

  // ── the records table ──
  const left = MARGIN.left;
  const cellHeight = (texts: string[]) =>
    Math.max(...texts.map((text, index) => doc.heightOfString(text, { width: COLUMNS[index]!.width - 2 * CELL_PAD, lineGap: 1 }))) + 2 * CELL_PAD;
  const drawRow = (texts: string[], y: number, height: number, header: boolean) => {
    let x = left;
    if (header) doc.rect(left, y, CONTENT_WIDTH, height).fill('#eeeeee');
    doc.fillColor('#000').strokeColor('#555').lineWidth(0.5);
    texts.forEach((text, index) => {
      const column = COLUMNS[index]!;
      doc.rect(x, y, column.width, height).stroke();
      doc.text(text, x + CELL_PAD, y + CELL_PAD, { width: column.width - 2 * CELL_PAD, align: header ? 'center' : column.align, lineGap: 1 });
      x += column.width;
    });
  };
  const headerTexts = COLUMNS.map((column) => column.title);
  doc.fontSize(TABLE_FONT_SIZE);
  const headerHeight = cellHeight(headerTexts);
  let y = doc.y;
  drawRow(headerTexts, y, headerHeight, true);
  y += headerHeight;
  certificate.lines.forEach((line, index) => {
    const texts = [String(index + 1), line.date, line.activity, line.content, hoursText(line.hours)];
    doc.fontSize(TABLE_FONT_SIZE);
    const height = cellHeight(texts);
    if (y + height > TABLE_BOTTOM) {
      doc.addPage();
      doc.fontSize(10).fillColor('#333').text(`志愿服务记录证明（续）  ${certificate.number}`, MARGIN.left, MARGIN.top, { width: CONTENT_WIDTH });
      doc.fontSize(TABLE_FONT_SIZE);
      y = doc.y + 6;
      drawRow(headerTexts, y, headerHeight, true);
      y += headerHeight;
    }
    drawRow(texts, y, height, false);
    y += height;
  });
  doc.fontSize(TABLE_FONT_SIZE);
  const totalTexts = ['', '', '合计', `${certificate.lines.length} 条记录`, hoursText(certificate.totalHours)];
  const totalHeight = cellHeight(totalTexts);
  if (y + totalHeight > TABLE_BOTTOM) {
    doc.addPage();
    y = MARGIN.top;
  }
  drawRow(totalTexts, y, totalHeight, false);
  y += totalHeight + 16;

  // ── the issuer, the QR code and the signature: kept together on one page ──
  const closingHeight = 250;
  if (y + closingHeight > A4.height - MARGIN.bottom) {
    doc.addPage();
    y = MARGIN.top;
  }
  doc.fontSize(11).fillColor('#000');
  const issuerWidth = CONTENT_WIDTH - 130;
  doc.text(`志愿服务时长合计：${hoursText(certificate.totalHours)} 小时`, left, y, { width: issuerWidth, lineGap: 6 });
  doc.text(`出具单位（盖章）：${certificate.legalName}`, { width: issuerWidth, lineGap: 6 });
  doc.text(`统一社会信用代码：${certificate.uscc}`, { width: issuerWidth, lineGap: 6 });
  doc.text(`负责人：${certificate.headName}`, { width: issuerWidth, lineGap: 6 });
  doc.text(`经办人：${certificate.handlerName}`, { width: issuerWidth, lineGap: 6 });
  doc.text(`出具日期：${chineseDate(certificate.issueDate)}`, { width: issuerWidth, lineGap: 6 });
  const issuerBottom = doc.y;

  // QR code, drawn as vector squares.
  const qrSize = 110;
  const qrX = left + CONTENT_WIDTH - qrSize;
  const modules = qr.modules.size;
  const cell = qrSize / (modules + 8);
  doc.rect(qrX, y, qrSize, qrSize).fill('#ffffff');
  for (let row = 0; row < modules; row += 1) {
    for (let column = 0; column < modules; column += 1) {
      if (qr.modules.get(row, column)) doc.rect(qrX + (column + 4) * cell, y + (row + 4) * cell, cell, cell);
    }
  }
  doc.fill('#000000');
  doc.fontSize(7).fillColor('#000').text(certificate.number, qrX - 20, y + qrSize + 2, { width: qrSize + 40, align: 'center' });
  doc.text('扫码查验真伪', qrX - 20, doc.y + 1, { width: qrSize + 40, align: 'center' });

  y = Math.max(issuerBottom, doc.y) + 14;
  doc.strokeColor('#999').lineWidth(0.5).moveTo(left, y).lineTo(left + CONTENT_WIDTH, y).stroke();
  doc.fontSize(8).fillColor('#333').text('', left, y + 6);
  if (certificate.signature) {
    doc.text(`平台电子签名（${certificate.signature.algorithm}，签名对象为证明规范文本的 SHA-256 摘要；规范文本附于本文件 certificate.json）`, { width: CONTENT_WIDTH });
    doc.text(`签名密钥标识：${certificate.signature.keyId}`, { width: CONTENT_WIDTH });
    doc.text(`摘要（SHA-256）：${certificate.signature.digest}`, { width: CONTENT_WIDTH });
    doc.text(`签名：${certificate.signature.value}`, { width: CONTENT_WIDTH });
  } else {
    doc.text('本证明出具于平台电子签名启用之前，未附电子签名；请以证明编号查验。', { width: CONTENT_WIDTH });
  }
  doc.text(`查验地址：${verifyUrl}`, { width: CONTENT_WIDTH });
  doc.text('依据《志愿服务记录与证明出具办法（试行）》出具，免费。', { width: CONTENT_WIDTH });

  // ── on every page: the watermark (when it no longer stands) and the footer ──
  const range = doc.bufferedPageRange();
  const watermark = WATERMARK[certificate.status];
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    // The footer sits in the bottom margin: without this, pdfkit would start a new page for it.
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    if (watermark) {
      doc.save();
      doc.rotate(-35, { origin: [A4.width / 2, A4.height / 2] });
      doc.fontSize(110).fillColor('#cc0000').fillOpacity(0.18);
      doc.text(watermark, 0, A4.height / 2 - 60, { width: A4.width, align: 'center', lineBreak: false });
      doc.restore();
    }
    doc.fontSize(8).fillColor('#666').fillOpacity(1);
    doc.text(`${certificate.number}    第 ${index - range.start + 1} 页 / 共 ${range.count} 页`, MARGIN.left, FOOTER_Y, {
      width: CONTENT_WIDTH,
      align: 'center',
      lineBreak: false,
    });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
