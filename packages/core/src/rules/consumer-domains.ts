// Free webmail and ISP mailbox providers: an address there says nothing about the customer's company.
import { normalizeDomain } from "./hostname.js";

const GOOGLE = ["gmail.com", "googlemail.com"];
const APPLE = ["icloud.com", "me.com", "mac.com"];
const MICROSOFT = [
  "outlook.com", "outlook.at", "outlook.be", "outlook.cl", "outlook.co.id", "outlook.co.il", "outlook.co.nz",
  "outlook.co.th", "outlook.com.ar", "outlook.com.au", "outlook.com.br", "outlook.com.gr", "outlook.com.tr",
  "outlook.com.vn", "outlook.cz", "outlook.de", "outlook.dk", "outlook.es", "outlook.fr", "outlook.hu",
  "outlook.ie", "outlook.in", "outlook.it", "outlook.jp", "outlook.kr", "outlook.lv", "outlook.my",
  "outlook.ph", "outlook.pt", "outlook.sa", "outlook.sg", "outlook.sk",
  "hotmail.com", "hotmail.at", "hotmail.be", "hotmail.ca", "hotmail.ch", "hotmail.cl", "hotmail.co.in",
  "hotmail.co.jp", "hotmail.co.nz", "hotmail.co.th", "hotmail.co.uk", "hotmail.co.za", "hotmail.com.ar",
  "hotmail.com.au", "hotmail.com.br", "hotmail.com.mx", "hotmail.com.tr", "hotmail.cz", "hotmail.de",
  "hotmail.dk", "hotmail.es", "hotmail.fi", "hotmail.fr", "hotmail.gr", "hotmail.hu", "hotmail.it",
  "hotmail.my", "hotmail.nl", "hotmail.no", "hotmail.rs", "hotmail.ru", "hotmail.se", "hotmail.sg",
  "live.com", "live.at", "live.be", "live.ca", "live.ch", "live.cl", "live.cn", "live.co.uk", "live.co.za",
  "live.com.ar", "live.com.au", "live.com.mx", "live.com.my", "live.com.pt", "live.com.sg", "live.de",
  "live.dk", "live.fi", "live.fr", "live.hk", "live.ie", "live.in", "live.it", "live.jp", "live.nl",
  "live.no", "live.ru", "live.se",
  "msn.com", "passport.com", "windowslive.com",
];
const YAHOO = [
  "yahoo.com", "yahoo.ca", "yahoo.co.id", "yahoo.co.in", "yahoo.co.jp", "yahoo.co.nz", "yahoo.co.th",
  "yahoo.co.uk", "yahoo.com.ar", "yahoo.com.au", "yahoo.com.br", "yahoo.com.hk", "yahoo.com.mx",
  "yahoo.com.my", "yahoo.com.ph", "yahoo.com.sg", "yahoo.com.tw", "yahoo.com.vn", "yahoo.de", "yahoo.dk",
  "yahoo.es", "yahoo.fr", "yahoo.gr", "yahoo.ie", "yahoo.in", "yahoo.it", "yahoo.no", "yahoo.pl",
  "yahoo.ro", "yahoo.se", "ymail.com", "rocketmail.com", "ybb.ne.jp",
];
const AOL = ["aol.com", "aol.co.uk", "aol.de", "aol.fr", "aim.com"];
const PRIVACY_AND_INDEPENDENT = [
  "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "tutanota.com", "tutanota.de", "tutamail.com",
  "tuta.io", "tuta.com", "keemail.me", "fastmail.com", "fastmail.fm", "zoho.com", "zohomail.com",
  "zohomail.eu", "zohomail.in", "mail.com", "email.com", "usa.com", "post.com", "hushmail.com",
  "mailfence.com", "runbox.com", "posteo.de", "posteo.net", "mailbox.org", "hey.com", "duck.com",
  "disroot.org", "riseup.net", "inbox.com", "lycos.com",
];
const DISPOSABLE = [
  "mailinator.com", "guerrillamail.com", "sharklasers.com", "10minutemail.com", "yopmail.com", "temp-mail.org",
];
const GERMAN_SPEAKING = [
  "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.com", "gmx.us", "gmx.co.uk", "gmx.fr", "gmx.es", "gmx.it",
  "web.de", "t-online.de", "freenet.de", "arcor.de", "online.de", "email.de", "aon.at", "chello.at",
  "bluewin.ch", "hispeed.ch",
];
const UK_IE = [
  "btinternet.com", "btopenworld.com", "sky.com", "virginmedia.com", "virgin.net", "blueyonder.co.uk",
  "ntlworld.com", "talktalk.net", "tiscali.co.uk", "eircom.net",
];
const FRANCE_BENELUX = [
  "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "neuf.fr", "laposte.net", "club-internet.fr", "bbox.fr",
  "aliceadsl.fr", "numericable.fr", "ziggo.nl", "kpnmail.nl", "planet.nl", "home.nl", "hetnet.nl",
  "xs4all.nl", "casema.nl", "upcmail.nl", "telenet.be", "skynet.be",
];
const SOUTHERN_EUROPE = [
  "libero.it", "virgilio.it", "tiscali.it", "alice.it", "tin.it", "inwind.it", "iol.it", "email.it",
  "telefonica.net", "terra.es", "sapo.pt", "clix.pt", "otenet.gr",
];
const NORDIC = ["online.no", "bredband.net", "luukku.com", "suomi24.fi", "ofir.dk"];
const CENTRAL_EASTERN_EUROPE = [
  "seznam.cz", "email.cz", "centrum.cz", "atlas.cz", "post.cz", "volny.cz", "azet.sk", "zoznam.sk",
  "centrum.sk", "wp.pl", "o2.pl", "onet.pl", "op.pl", "interia.pl", "interia.eu", "poczta.fm", "vp.pl",
  "tlen.pl", "gazeta.pl", "freemail.hu", "citromail.hu", "abv.bg", "mail.bg", "dir.bg", "inbox.lv",
  "mail.ee", "siol.net",
];
const RUSSIAN_SPEAKING = [
  "mail.ru", "inbox.ru", "list.ru", "bk.ru", "internet.ru", "yandex.ru", "yandex.com", "yandex.by",
  "yandex.kz", "yandex.ua", "yandex.com.tr", "ya.ru", "narod.ru", "rambler.ru", "ukr.net", "meta.ua",
];
const AMERICAS = [
  "comcast.net", "verizon.net", "att.net", "sbcglobal.net", "bellsouth.net", "cox.net", "charter.net", "earthlink.net",
  "optonline.net", "frontiernet.net", "juno.com", "netzero.net", "roadrunner.com", "rr.com", "windstream.net",
  "centurylink.net", "q.com", "shaw.ca", "rogers.com", "sympatico.ca", "videotron.ca", "telus.net", "bell.net",
  "uol.com.br", "bol.com.br", "terra.com.br", "ig.com.br", "globo.com", "globomail.com", "r7.com",
  "prodigy.net.mx", "fibertel.com.ar", "speedy.com.ar", "arnet.com.ar",
];
const ASIA_PACIFIC = [
  "qq.com", "foxmail.com", "163.com", "126.com", "yeah.net", "sina.com", "sina.cn", "sohu.com", "139.com",
  "189.cn", "aliyun.com", "tom.com", "21cn.com", "naver.com", "daum.net", "hanmail.net", "nate.com",
  "kakao.com", "docomo.ne.jp", "ezweb.ne.jp", "softbank.ne.jp", "nifty.com", "biglobe.ne.jp", "ocn.ne.jp",
  "pchome.com.tw", "rediffmail.com", "bigpond.com", "bigpond.net.au", "optusnet.com.au", "iinet.net.au",
  "tpg.com.au", "xtra.co.nz",
];
const AFRICA_MIDDLE_EAST = [
  "webmail.co.za", "mweb.co.za", "telkomsa.net", "vodamail.co.za", "walla.co.il", "walla.com", "bezeqint.net",
  "mynet.com",
];

/**
 * Free webmail and ISP mailbox domains (Google, Microsoft's consumer brands and their country
 * variants, Yahoo, AOL, Apple, Proton, GMX, Mail.ru, Yandex, QQ, Naver, … and the large ISPs),
 * in canonical form (see {@link normalizeDomain}). An address at one of these is a person's,
 * not a company's, so it never yields a company domain. To extend it, pass
 * `new Set([...consumerMailboxDomains, "example-isp.net"])` as `consumerDomains`.
 */
export const consumerMailboxDomains: ReadonlySet<string> = new Set([
  ...GOOGLE, ...APPLE, ...MICROSOFT, ...YAHOO, ...AOL, ...PRIVACY_AND_INDEPENDENT, ...DISPOSABLE,
  ...GERMAN_SPEAKING, ...UK_IE, ...FRANCE_BENELUX, ...SOUTHERN_EUROPE, ...NORDIC, ...CENTRAL_EASTERN_EUROPE,
  ...RUSSIAN_SPEAKING, ...AMERICAS, ...ASIA_PACIFIC, ...AFRICA_MIDDLE_EAST,
]);

/**
 * True when `domain` is a consumer mailbox domain. Accepts anything {@link normalizeDomain}
 * accepts, so `Jane@Mail.Yahoo.com` and `gmail.com` both count.
 */
export function isConsumerMailboxDomain(domain: string): boolean {
  if (typeof domain !== "string") return false;
  if (consumerMailboxDomains.has(domain)) return true;
  const canonical = normalizeDomain(domain);
  return canonical !== null && consumerMailboxDomains.has(canonical);
}
