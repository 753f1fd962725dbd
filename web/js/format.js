// Dates as the service shows them: dd.mm.yyyy and HH:MM, in Almaty time.

const ZONE = "Asia/Almaty";

function parts(date, withTime) {
  const options = { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" };
  if (withTime) Object.assign(options, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const out = {};
  for (const part of new Intl.DateTimeFormat("en-GB", options).formatToParts(date)) out[part.type] = part.value;
  return out;
}

/** "2011-08-18" or an ISO time → "18.08.2011" (a calendar date is never shifted by time zones). */
export function formatDate(value) {
  if (!value) return "—";
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) return `${plain[3]}.${plain[2]}.${plain[1]}`;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = parts(date, false);
  return `${p.day}.${p.month}.${p.year}`;
}

/** An ISO time → "31.07.2018 17:29" in Almaty time. */
export function formatDateTime(value) {
  if (!value) return "—";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  const p = parts(date, true);
  return `${p.day}.${p.month}.${p.year} ${p.hour}:${p.minute}`;
}

/** The birth date an IIN encodes (YYMMDD + century digit), or null when it cannot be read. */
export function birthDateFromIin(iin) {
  if (!/^\d{12}$/.test(iin || "")) return null;
  const century = { 1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000 }[iin[6]];
  if (!century) return null;
  const year = century + Number(iin.slice(0, 2));
  const month = Number(iin.slice(2, 4));
  const day = Number(iin.slice(4, 6));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${year}-${iin.slice(2, 4)}-${iin.slice(4, 6)}`;
}

/** The IIN's check digit as the registry computes it (weights 1..11, then 3..11,1,2); null: none exists. */
function iinCheckDigit(first11) {
  const weighted = (weights) => weights.reduce((sum, weight, i) => sum + Number(first11[i]) * weight, 0) % 11;
  let remainder = weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  if (remainder === 10) remainder = weighted([3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]);
  return remainder === 10 ? null : remainder;
}

/** Whether a person's IIN can be real: 12 digits, a birth date, the right check digit. */
export function iinValid(iin) {
  const value = String(iin || "").trim();
  if (!birthDateFromIin(value)) return false;
  const digit = iinCheckDigit(value.slice(0, 11));
  return digit !== null && digit === Number(value[11]);
}

/** A file's size in the units the hints use («2 МБ»), the same in Kazakh and Russian: Б, КБ, МБ. */
export function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} Б`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} КБ`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(".", ",")} МБ`;
}

/** An amount in tenge as written in Kazakhstan: "15 500,00 ₸" (the API gives "15500.00"). */
export function formatTenge(value) {
  const amount = Number(value);
  if (value == null || value === "" || !Number.isFinite(amount)) return "—";
  const text = new Intl.NumberFormat("ru-RU", { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(amount);
  return `${text.replace(/\u00a0|\u202f/g, " ")} ₸`;
}
