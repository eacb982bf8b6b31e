/**
 * Programs that serve the network: web and application servers, databases, mail, file transfer,
 * proxies. A shell whose parent is one of these (or any process Picket saw listening) is how
 * command injection and web shells look from the host.
 */
export const NETWORK_SERVICES: ReadonlySet<string> = new Set([
  // web / application servers
  'nginx', 'apache2', 'httpd', 'lighttpd', 'caddy', 'php-fpm', 'php-cgi', 'uwsgi', 'gunicorn', 'uvicorn', 'hypercorn',
  'unicorn', 'puma', 'passenger', 'tomcat', 'catalina', 'jetty', 'jboss', 'wildfly', 'weblogic', 'websphere', 'iis',
  'node-red', 'haproxy', 'envoy', 'traefik', 'squid', 'varnishd', 'openresty', 'h2o', 'tengine',
  // databases and caches
  'mysqld', 'mariadbd', 'postgres', 'postmaster', 'redis-server', 'mongod', 'mongos', 'memcached', 'couchdb',
  'cassandra', 'elasticsearch', 'opensearch', 'influxd', 'clickhouse-server', 'etcd', 'rabbitmq-server', 'beam.smp',
  // mail, file transfer, directory, other daemons reachable from the network
  'master', 'smtpd', 'exim4', 'exim', 'sendmail', 'dovecot', 'vsftpd', 'proftpd', 'pure-ftpd', 'smbd', 'nmbd',
  'slapd', 'named', 'dnsmasq', 'snmpd', 'cupsd', 'jenkins', 'gitlab-workhorse', 'grafana-server', 'grafana',
  'minio', 'consul', 'nomad', 'vault', 'zabbix_agentd', 'confluence', 'jira',
]);

/** Listening on these addresses is not network-facing. */
export function isLoopbackOrUnspecified(ip: string | undefined): 'loopback' | 'any' | 'other' {
  if (!ip) return 'any';
  if (ip === '0.0.0.0' || ip === '::') return 'any';
  if (ip.startsWith('127.') || ip === '::1' || ip === '::ffff:127.0.0.1') return 'loopback';
  return 'other';
}
