import fc from 'fast-check';
import {
  assessDomain,
  dgaScore,
  domainFeatures,
  MALICIOUS_SCORE,
  SUSPICIOUS_SCORE,
  shannonEntropy,
} from '../../lambda/domain/intel/reputation';

/** Well-known benign names (strings only: nothing is resolved). */
const BENIGN = [
  's3.us-east-1.amazonaws.com', 'ssm.eu-west-1.amazonaws.com', 'ec2-203-0-113-5.compute-1.amazonaws.com',
  'd111111abcdef8.cloudfront.net', 'archive.ubuntu.com', 'security.ubuntu.com', 'esm.ubuntu.com', 'deb.debian.org',
  'mirrors.fedoraproject.org', 'registry.npmjs.org', 'pypi.org', 'files.pythonhosted.org', 'github.com',
  'objects.githubusercontent.com', 'registry-1.docker.io', 'production.cloudflare.docker.com', 'login.microsoftonline.com',
  'www.google.com', 'fonts.googleapis.com', 'cdn.jsdelivr.net', 'api.stripe.com', 'kubernetes.io', 'letsencrypt.org',
  'acme-v02.api.letsencrypt.org', 'amazon.co.uk', 'bbc.co.uk', 'grafana.com', 'elastic.co', 'postgresql.org',
  'stackoverflow.com', 'wikipedia.org', 'nodejs.org', 'golang.org', 'crates.io', 'rubygems.org', 'maven.apache.org',
  'repo1.maven.org', 'dl.google.com', 'packages.microsoft.com', 'download.docker.com', 'xn--80ak6aa92e.com',
];

/** Random labels like a DGA's: letters, or letters and digits, 10–16 characters. */
const dgaLabel = fc.oneof(
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 10, maxLength: 16 }),
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 10, maxLength: 16 }),
);

describe('reputation model', () => {
  const benignMax = Math.max(...BENIGN.map((d) => dgaScore(domainFeatures(d))));

  it('scores every well-known benign name below the Suspicious threshold', () => {
    for (const d of BENIGN) expect({ d, low: dgaScore(domainFeatures(d)) < SUSPICIOUS_SCORE }).toEqual({ d, low: true });
    expect(benignMax).toBeLessThan(SUSPICIOUS_SCORE);
  });

  it('scores most random-looking labels above every benign name (ordering, not exact values)', () => {
    const samples = fc.sample(dgaLabel, { numRuns: 400, seed: 4 });
    const above = samples.filter((l) => dgaScore(domainFeatures(`${l}.com`)) > benignMax).length;
    expect(above / samples.length).toBeGreaterThan(0.8);
    const sorted = samples.map((l) => dgaScore(domainFeatures(`${l}.com`))).sort((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThan(SUSPICIOUS_SCORE);
  });

  it('is monotone in the obvious direction for a pronounceable word versus its shuffled letters', () => {
    expect(dgaScore(domainFeatures('strawberryfields.com'))).toBeLessThan(dgaScore(domainFeatures('wsbrfdlrteyraeis.com')));
  });

  it('scores the owner label, not the provider: cloud hostnames stay low, a dynamic-DNS subdomain is what counts', () => {
    expect(domainFeatures('d111111abcdef8.cloudfront.net').label).toBe('cloudfront');
    const dyn = domainFeatures('qkzjxvwpbt.duckdns.org');
    expect(dyn).toMatchObject({ label: 'qkzjxvwpbt', dynamicDns: true, registrable: 'qkzjxvwpbt.duckdns.org' });
    expect(domainFeatures('shop.example.co.uk')).toMatchObject({ label: 'example', registrable: 'example.co.uk' });
  });

  it('damps short labels: too little evidence to call anything generated', () => {
    expect(dgaScore(domainFeatures('xq.com'))).toBeLessThan(0.05);
    expect(dgaScore(domainFeatures('zzkq.net'))).toBeLessThan(0.05);
  });

  it('turns score and context into verdicts only for names new to the account', () => {
    const random = domainFeatures('kqzxjvwptrbn.xyz');
    expect(dgaScore(random)).toBeGreaterThan(MALICIOUS_SCORE);
    expect(assessDomain(random, true).verdict).toBe('malicious');
    expect(assessDomain(random, false).verdict).toBe('ok');
    expect(assessDomain(domainFeatures('kqzxjvwptrbn.com'), true).verdict).toBe('suspicious');
    expect(assessDomain(domainFeatures('myhome.duckdns.org'), true).verdict).toBe('abused');
    expect(assessDomain(domainFeatures('xmrpayouts.top'), true).verdict).toBe('bitcoin');
    expect(assessDomain(domainFeatures('coinbase.com'), true).verdict).toBe('ok');
    for (const d of BENIGN) expect([d, assessDomain(domainFeatures(d), true).verdict]).toEqual([d, 'ok']);
  });

  it('computes Shannon entropy in bits per character', () => {
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBeCloseTo(2);
    expect(shannonEntropy('')).toBe(0);
  });
});
