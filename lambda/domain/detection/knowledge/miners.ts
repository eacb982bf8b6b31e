/**
 * Cryptocurrency-miner indicators on the host: program names of miners (and the names miner
 * malware drops), the stratum protocol in arguments, miner-only flags, and pool ports.
 * Ports come from Falco's miner_ports list (Apache-2.0, falcosecurity/rules) without the ports
 * that web and mail servers use (25, 8000, 8001, 8008, 8080, 8118, 8888, 8899): a port alone
 * never raises a finding, it only adds weight.
 */
export const MINER_NAMES: ReadonlySet<string> = new Set([
  'xmrig', 'xmrig-notls', 'xmrig-cuda', 'xmr-stak', 'xmr-stak-rx', 'xmr-stak-cpu', 'minerd', 'cpuminer', 'cpuminer-multi',
  'cpuminer-opt', 'cgminer', 'bfgminer', 'ethminer', 'nbminer', 't-rex', 'phoenixminer', 'lolminer', 'gminer',
  'nanominer', 'teamredminer', 'srbminer', 'srbminer-multi', 'ccminer', 'nheqminer', 'xmrminer', 'cryptonight', 'ethdcrminer64',
  'kdevtmpfsi', 'kinsing', 'sysrv', 'sysrv-hello', 'xmrigdaemon', 'xmrigminer', 'moneroocean', 'c3pool', 'wipefs-miner',
]);

/** Mining protocol URLs in arguments (stratum+tcp://, stratum+ssl://, stratum2+tcp://). */
export const STRATUM_URL = /\bstratum\d?\+(?:tcp|ssl|tls)s?:\/\/[^\s'"]+/i;

/** Flags only miners take. Each adds weight; two of them make a miner without its name. */
export const MINER_FLAGS: ReadonlySet<string> = new Set([
  '--donate-level', '--cpu-priority', '--cpu-max-threads-hint', '--randomx-mode', '--randomx-1gb-pages', '--rig-id',
  '--nicehash', '--coin', '--max-cpu-usage', '--algo=rx/0', '--algo=cryptonight', '--cuda', '--opencl', '--tls-fingerprint',
  '--huge-pages-jit', '--asm', '--pool',
]);

/** Algorithm names passed with -a / --algo. */
export const MINER_ALGORITHMS = /^(?:rx\/\w+|cn(?:-\w+)?\/\w+|cryptonight\w*|randomx|argon2\/\w+|kawpow|ethash|etchash|autolykos2|equihash\w*|scrypt|sha256d|x16r\w*)$/i;

/** A Monero wallet address (primary 4…, subaddress 8…): 95 base58 characters. */
export const MONERO_WALLET = /\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b/;

export const POOL_PORTS: ReadonlySet<number> = new Set([
  3333, 3334, 3335, 3336, 3357, 4444, 5555, 5556, 5588, 5730, 6099, 6666, 7777, 7778, 8333, 9332, 9999, 14433, 14444,
  45560, 45700,
]);
