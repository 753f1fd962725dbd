// Banks of Kazakhstan that hold parents' accounts: the IBAN's bank code (characters 5–7), the
// BIC and the name, so that choosing a bank fills its BIC and a typed IBAN suggests both.
// The server checks the BIC against the IBAN with its own registry; this list only helps typing.

export const BANKS = [
  { code: "722", bic: "CASPKZKA", name: "Kaspi Bank" },
  { code: "601", bic: "HSBKKZKX", name: "Halyk Bank" },
  { code: "965", bic: "IRTYKZKA", name: "ForteBank" },
  { code: "856", bic: "KCJBKZKX", name: "Bank CenterCredit" },
  { code: "998", bic: "TSESKZKA", name: "Jusan Bank" },
  { code: "551", bic: "KSNVKZKA", name: "Freedom Bank" },
  { code: "948", bic: "EURIKZKA", name: "Eurasian Bank" },
  { code: "886", bic: "INLMKZKA", name: "Home Credit Bank" },
  { code: "821", bic: "KINCKZKA", name: "Bank RBK" },
  { code: "972", bic: "HCSKKZKA", name: "Otbasy Bank" },
  { code: "949", bic: "ATYNKZKA", name: "Altyn Bank" },
  { code: "849", bic: "NURSKZKX", name: "Nurbank" },
  { code: "432", bic: "VTBAKZKZ", name: "Bank VTB (Kazakhstan)" },
  { code: "435", bic: "SHBKKZKA", name: "Shinhan Bank Kazakhstan" },
  { code: "832", bic: "CITIKZKA", name: "Citibank Kazakhstan" },
  { code: "913", bic: "BKCHKZKA", name: "Bank of China Kazakhstan" },
  { code: "930", bic: "ICBKKZKX", name: "ICBC (Almaty)" },
  { code: "947", bic: "ALFAKZKA", name: "Alfa-Bank" },
  { code: "563", bic: "KPSTKZKA", name: "Kazpost" },
  { code: "246", bic: "HLALKZKZ", name: "Al Hilal Islamic Bank" },
  { code: "896", bic: "ZAJSKZ22", name: "Zaman-Bank" },
];

/** The bank of a Kazakhstan IBAN typed so far (spaces allowed), or null. */
export function bankOfIban(value) {
  const compact = String(value || "").replace(/[\s-]+/g, "").toUpperCase();
  if (!/^KZ\d{2}\d{3}/.test(compact)) return null;
  return BANKS.find((bank) => bank.code === compact.slice(4, 7)) || null;
}

export function bankByName(name) {
  const wanted = String(name || "").trim().toLowerCase();
  return BANKS.find((bank) => bank.name.toLowerCase() === wanted) || null;
}
