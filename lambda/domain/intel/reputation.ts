/**
 * Domain reputation: a small, documented and testable model (docs/intel.md#reputation-model).
 *
 * 1. Find the label the owner chose: the label left of the public suffix (a built-in list of
 *    multi-label suffixes such as co.uk), or left of a dynamic-DNS suffix when the name is under one
 *    (there the customer picks the subdomain, e.g. `x7kq2.duckdns.org` → `x7kq2`).
 * 2. Lexical DGA score of that label, 0..1: a logistic function of
 *      rare-bigram ratio (pairs of letters that are uncommon in English and in brand names),
 *      longest consonant run, digit ratio when letters and digits mix, Shannon entropy per
 *      character, and length — damped for short labels, which carry too little evidence.
 * 3. Context: abused TLD (public abuse statistics), dynamic-DNS suffix, cryptocurrency keyword,
 *    and rarity (first time the account/instance queries the registrable domain).
 * The rule (rules/intel/domain-reputation.ts) turns score + context into the Reputation types.
 * Weights were set by hand on the reasoning above, not fitted to a data set: they are
 * deliberately conservative and the tests check orderings, not exact values.
 */

/** Second-level suffixes under which the third label is the owner's (approximation of the PSL). */
const MULTI_LABEL_SUFFIXES = new Set(
  [
    'co.uk', 'org.uk', 'ac.uk', 'gov.uk', 'me.uk', 'ltd.uk', 'plc.uk', 'net.uk',
    'com.au', 'net.au', 'org.au', 'edu.au', 'gov.au', 'co.nz', 'org.nz', 'net.nz',
    'co.jp', 'ne.jp', 'or.jp', 'ac.jp', 'go.jp', 'co.kr', 'or.kr', 'com.cn', 'net.cn', 'org.cn', 'gov.cn',
    'com.br', 'net.br', 'org.br', 'com.mx', 'com.ar', 'com.co', 'com.tr', 'com.tw', 'com.hk', 'com.sg',
    'com.my', 'com.ph', 'com.vn', 'co.in', 'net.in', 'org.in', 'co.za', 'co.id', 'co.il', 'com.ua', 'com.pl',
    'com.ru', 'com.es', 'com.pt', 'com.sa', 'com.eg', 'com.ng', 'com.pk', 'co.th', 'ac.in', 'edu.cn',
  ],
);

/** TLDs over-represented in abuse statistics (phishing, malware, spam); an input, never a verdict. */
export const ABUSED_TLDS: ReadonlySet<string> = new Set([
  'tk', 'ml', 'ga', 'cf', 'gq', 'top', 'xyz', 'pw', 'su', 'icu', 'buzz', 'rest', 'cyou', 'monster', 'cam', 'sbs',
  'cfd', 'bond', 'quest', 'click', 'link', 'work', 'fit', 'lol', 'zip', 'mov', 'loan', 'date', 'racing', 'win',
  'bid', 'stream', 'download', 'review', 'trade', 'party', 'science', 'gdn', 'men', 'kim', 'country', 'surf', 'onion',
]);

/** Dynamic-DNS / tunnel suffixes known without any intel loaded (the seed list adds thousands). */
export const BUILTIN_DYNAMIC_DNS: readonly string[] = [
  'duckdns.org', 'no-ip.com', 'no-ip.org', 'no-ip.biz', 'no-ip.info', 'ddns.net', 'hopto.org', 'zapto.org', 'sytes.net',
  'serveftp.com', 'servehttp.com', 'myftp.org', 'myftp.biz', 'dyndns.org', 'dyndns.info', 'dynu.com', 'dynu.net',
  'afraid.org', 'ngrok.io', 'ngrok.app', 'ngrok-free.app', 'serveo.net', 'trycloudflare.com', 'portmap.io',
  'loca.lt', 'localtunnel.me', 'pagekite.me', 'dnsabc.com', 'changeip.com', 'dns.army', 'freeddns.org',
];
const BUILTIN_DYNAMIC_DNS_SET = new Set(BUILTIN_DYNAMIC_DNS);

/** Substrings of a label that tie a domain to cryptocurrency mining or trading. */
export const CRYPTO_KEYWORDS: readonly string[] = [
  'xmr', 'monero', 'bitcoin', 'btc', 'crypto', 'coin', 'miner', 'mining', 'minepool', 'stratum', 'hashvault',
  'nicehash', 'nanopool', 'ethpool', 'ethermine', 'f2pool', 'wallet', 'hashrate', 'pool',
];

/**
 * Letter pairs common in English words and in brand/technical names; a pair outside this set is
 * "rare". Random strings over 26 letters have ~80 % rare pairs, dictionary words ~10–25 %.
 */
const COMMON_BIGRAMS = new Set(
  (
    'th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le ve co me de hi ri ro ' +
    'ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec pr no ct us ac ot il tr ly nc et ut ss so ' +
    'rs un lo wa ge ie wh ee wi em ad ol rt po we na ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi pl ' +
    'ig tu ev ld ry mp fe bl ab gh ty op wo sa ay ex ke fr oo av ag if ap gr od bo sp rd do uc bu ei ov by rm ep tt ' +
    'oc fa ef cu rn sc gi da yo cr cl du ga qu ue ff ba ey ls va um pp ua up lu go ht ru ug ds lt pi rc rr eg au ck ' +
    'ew mu br bi pt ak pu ui rg ib tl ny ki rk ys ob mm fu ph og ms ye ud mb ip ub oi rl gu dr hr cc tw ft wn nu af ' +
    'hu nn eo vo rv nf xp gn sm fl iz ok nl my gl aw ju oa sy sl ps jo lf nv je nk kn gs dy hy ze ks xt bs ik dd cy ' +
    'rp sk oe oy ws ka ya za ax ox'
  ).split(' '),
);

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);

export interface DomainFeatures {
  /** The queried name, normalised. */
  readonly name: string;
  /** Owner-chosen label plus its suffix, e.g. `example.co.uk`, `x7kq2.duckdns.org`. */
  readonly registrable: string;
  /** The owner-chosen label that is scored. */
  readonly label: string;
  readonly tld: string;
  readonly length: number;
  /** Shannon entropy of the label's characters, bits per character. */
  readonly entropy: number;
  readonly maxConsonantRun: number;
  /** Share of digits, counted only when the label mixes letters and digits. */
  readonly digitRatio: number;
  /** Share of adjacent letter pairs not in the common-bigram set. */
  readonly rareBigramRatio: number;
  /** Share of adjacent characters switching between letter and digit (`a8f3k2` → 1). */
  readonly classSwitchRatio: number;
  readonly abusedTld: boolean;
  readonly dynamicDns: boolean;
  readonly cryptoKeyword: boolean;
}

export function shannonEntropy(text: string): number {
  if (text.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    h -= p * Math.log2(p);
  }
  return h;
}

function maxConsonantRun(label: string): number {
  let best = 0;
  let run = 0;
  for (const ch of label) {
    if (ch >= 'a' && ch <= 'z' && !VOWELS.has(ch)) best = Math.max(best, ++run);
    else run = 0;
  }
  return best;
}

function rareBigramRatio(label: string): number {
  let pairs = 0;
  let rare = 0;
  for (let i = 0; i + 1 < label.length; i++) {
    const a = label[i];
    const b = label[i + 1];
    if (a < 'a' || a > 'z' || b < 'a' || b > 'z') continue;
    pairs++;
    if (!COMMON_BIGRAMS.has(a + b)) rare++;
  }
  return pairs === 0 ? 0 : rare / pairs;
}

function classSwitchRatio(label: string): number {
  if (label.length < 2) return 0;
  let switches = 0;
  for (let i = 0; i + 1 < label.length; i++) {
    const a = label[i] >= '0' && label[i] <= '9';
    const b = label[i + 1] >= '0' && label[i + 1] <= '9';
    const letterA = label[i] >= 'a' && label[i] <= 'z';
    const letterB = label[i + 1] >= 'a' && label[i + 1] <= 'z';
    if ((a && letterB) || (letterA && b)) switches++;
  }
  return switches / (label.length - 1);
}

/** Matching dynamic-DNS suffix of `name`, from the built-in list or an extra predicate (intel). */
function dynamicSuffix(labels: readonly string[], extraSuffix?: string): number {
  // Returns how many trailing labels form the dynamic suffix (0: none). Longest suffix first, but
  // never the whole name: the owner's label must remain.
  for (let n = Math.min(labels.length - 1, 4); n >= 2; n--) {
    const suffix = labels.slice(labels.length - n).join('.');
    if (BUILTIN_DYNAMIC_DNS_SET.has(suffix) || suffix === extraSuffix) return n;
  }
  return 0;
}

/**
 * Features of a normalised domain name. `dynamicDnsSuffix` adds a dynamic-DNS suffix matched in
 * intel (category `dynamic_dns`) to the built-in ones.
 */
export function domainFeatures(name: string, dynamicDnsSuffix?: string): DomainFeatures {
  const labels = name.split('.');
  const tld = labels[labels.length - 1];
  const dyn = dynamicSuffix(labels, dynamicDnsSuffix);
  let suffixLabels = 1;
  if (dyn > 0) suffixLabels = dyn;
  else if (labels.length >= 3 && MULTI_LABEL_SUFFIXES.has(labels.slice(-2).join('.'))) suffixLabels = 2;
  const labelIndex = Math.max(0, labels.length - suffixLabels - 1);
  const label = labels[labelIndex];
  const letters = /[a-z]/.test(label);
  const digits = (label.match(/[0-9]/g) ?? []).length;
  return {
    name,
    registrable: labels.slice(labelIndex).join('.'),
    label,
    tld,
    length: label.length,
    entropy: shannonEntropy(label),
    maxConsonantRun: maxConsonantRun(label),
    digitRatio: letters && digits > 0 ? digits / label.length : 0,
    rareBigramRatio: rareBigramRatio(label),
    classSwitchRatio: classSwitchRatio(label),
    abusedTld: ABUSED_TLDS.has(tld),
    dynamicDns: dyn > 0,
    cryptoKeyword: CRYPTO_KEYWORDS.some((k) => label.includes(k)),
  };
}

/** Weights of the lexical model (exported for docs and tests). */
export const DGA_WEIGHTS = {
  bias: -6,
  rareBigram: 6,
  consonantRunOver2: 0.9,
  digitRatio: 4,
  classSwitch: 4,
  entropyOver3: 1.2,
  lengthOver10: 0.12,
} as const;

/** Lexical "looks machine-generated" score of the owner label, 0..1. */
export function dgaScore(f: DomainFeatures): number {
  // Punycode labels are an encoding of another script: their ASCII form says nothing lexical.
  if (f.label.startsWith('xn--')) return 0;
  const w = DGA_WEIGHTS;
  const z =
    w.bias +
    w.rareBigram * f.rareBigramRatio +
    w.consonantRunOver2 * Math.max(0, f.maxConsonantRun - 2) +
    w.digitRatio * f.digitRatio +
    w.classSwitch * f.classSwitchRatio +
    w.entropyOver3 * Math.max(0, f.entropy - 3) +
    w.lengthOver10 * Math.max(0, f.length - 10);
  // Short labels carry too little evidence: pull them towards "benign" (0 at ≤ 4 chars, full at ≥ 10).
  const evidence = Math.min(1, Math.max(0, (f.length - 4) / 6));
  return sigmoid(w.bias + (z - w.bias) * evidence);
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

export interface DomainProfile {
  readonly features: DomainFeatures;
  readonly score: number;
}

const PROFILE_CACHE_SIZE = 8192;
const profileCache = new Map<string, DomainProfile>();

/**
 * Features and lexical score of a name, memoised (bounded): hosts query the same few names over
 * and over, and several rules look at each query. Pure, so the memo cannot change any result.
 */
export function domainProfile(name: string, dynamicDnsSuffix?: string): DomainProfile {
  const key = dynamicDnsSuffix === undefined ? name : `${dynamicDnsSuffix}|${name}`;
  const cached = profileCache.get(key);
  if (cached) return cached;
  const features = domainFeatures(name, dynamicDnsSuffix);
  const profile = { features, score: dgaScore(features) };
  if (profileCache.size >= PROFILE_CACHE_SIZE) {
    const oldest = profileCache.keys().next().value;
    if (oldest !== undefined) profileCache.delete(oldest);
  }
  profileCache.set(key, profile);
  return profile;
}

/** Score above which a rare name is Suspicious (Low). */
export const SUSPICIOUS_SCORE = 0.6;
/** Score above which a rare name on an abused TLD or dynamic-DNS suffix is Malicious (High). */
export const MALICIOUS_SCORE = 0.85;

export type ReputationVerdict = 'abused' | 'bitcoin' | 'malicious' | 'suspicious' | 'ok';

export interface ReputationAssessment {
  readonly verdict: ReputationVerdict;
  readonly score: number;
  readonly features: DomainFeatures;
  readonly reasons: readonly string[];
}

/** Names never scored: reverse zones, private/internal namespaces, single labels. */
export function isUnscored(name: string): boolean {
  return (
    !name.includes('.') ||
    /\.(arpa|internal|local|localdomain|lan|home|corp|intranet|localhost)$/.test(name) ||
    name.endsWith('.compute.amazonaws.com')
  );
}

/**
 * The verdict for a name that is on no threat list. `rare` says whether the registrable domain is
 * new to the account; common names never get a reputation finding (they are the baseline).
 */
export function assessDomain(features: DomainFeatures, rare: boolean, score = dgaScore(features)): ReputationAssessment {
  const reasons: string[] = [];
  if (features.abusedTld) reasons.push(`abused TLD .${features.tld}`);
  if (features.dynamicDns) reasons.push('dynamic-DNS suffix');
  if (features.cryptoKeyword) reasons.push('cryptocurrency keyword');
  if (score >= SUSPICIOUS_SCORE) reasons.push(`machine-generated-looking label (score ${score.toFixed(2)})`);
  if (rare) reasons.push('first query of this domain in the account');
  let verdict: ReputationVerdict = 'ok';
  const lowReputationNamespace = features.abusedTld || features.dynamicDns;
  if (rare) {
    if (features.cryptoKeyword && (lowReputationNamespace || score >= SUSPICIOUS_SCORE)) verdict = 'bitcoin';
    else if (lowReputationNamespace && score >= MALICIOUS_SCORE) verdict = 'malicious';
    else if (features.dynamicDns || (features.abusedTld && score >= SUSPICIOUS_SCORE)) verdict = 'abused';
    else if (score >= SUSPICIOUS_SCORE) verdict = 'suspicious';
  }
  return { verdict, score, features, reasons };
}
