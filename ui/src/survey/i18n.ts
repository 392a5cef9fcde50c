// The survey page's words in Bahasa Indonesia (the default) and English. The questions come
// from the form; these are the page's own. Domain terms (unsur, IKM) stay Indonesian.
import type { Lang } from "./form";

const id = {
  language: "Bahasa",
  intro:
    "Bantu kami memperbaiki pelayanan. Survei ini singkat, tanpa nama, dan tetap bisa diisi tanpa sinyal.",
  serial: (serial: string) => `Lembar ${serial}`,
  service: (service: string) => `Layanan: ${service}`,
  start: "Mulai",
  resumeNote: "Jawaban yang Anda isi sebelumnya masih tersimpan di ponsel ini.",
  resume: "Lanjutkan",
  restart: "Mulai dari awal",
  progress: (at: number, of: number) => `Pertanyaan ${at} dari ${of}`,
  optional: "Boleh dikosongkan.",
  back: "Kembali",
  next: "Berikutnya",
  send: "Kirim",
  thanks: "Terima kasih!",
  thanksBody: "Jawaban Anda sudah tersimpan.",
  again: "Isi lagi",
  closed: "Survei ini sudah ditutup.",
  broken: "Halaman survei ini tidak lengkap. Pindai kode QR-nya atau buka tautannya lagi.",
  sending: "Mengirim…",
  waiting: "Menunggu sinyal — jawaban Anda tersimpan di ponsel ini dan akan terkirim otomatis.",
  waitingOpen: "Menunggu sinyal — biarkan halaman ini terbuka; jawaban Anda akan terkirim otomatis.",
  queued: (n: number) => `${n} jawaban menunggu dikirim.`,
  sent: "Terkirim. Terima kasih!",
  refusedClosed: "Survei ini sudah ditutup, jadi jawaban tidak dapat diterima lagi.",
  refusedUnknown: "Tautan survei ini tidak dikenal, jadi jawaban tidak dapat diterima.",
  refusedAnswers: "Jawaban tidak dapat diterima:",
  refusedOther: (status: number) => `Server menolak jawaban ini (kode ${status}).`,
};

type Strings = typeof id;

const en: Strings = {
  language: "Language",
  intro: "Help us improve this service. The survey is short, anonymous, and works without signal.",
  serial: (serial) => `Sheet ${serial}`,
  service: (service) => `Service: ${service}`,
  start: "Start",
  resumeNote: "The answers you gave earlier are still saved on this phone.",
  resume: "Continue",
  restart: "Start over",
  progress: (at, of) => `Question ${at} of ${of}`,
  optional: "You may leave this empty.",
  back: "Back",
  next: "Next",
  send: "Send",
  thanks: "Thank you!",
  thanksBody: "Your answers are saved.",
  again: "Answer again",
  closed: "This survey is closed.",
  broken: "This survey page is incomplete. Scan its QR code or open its link again.",
  sending: "Sending…",
  waiting: "Waiting for signal — your answers are saved on this phone and will be sent automatically.",
  waitingOpen: "Waiting for signal — keep this page open; your answers will be sent automatically.",
  queued: (n) => `${n} answer sets waiting to be sent.`,
  sent: "Sent. Thank you!",
  refusedClosed: "This survey has closed, so answers can no longer be accepted.",
  refusedUnknown: "This survey link is not known, so the answers cannot be accepted.",
  refusedAnswers: "The answers could not be accepted:",
  refusedOther: (status) => `The server refused these answers (code ${status}).`,
};

export const strings: Record<Lang, Strings> = { id, en };
