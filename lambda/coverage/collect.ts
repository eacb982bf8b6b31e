/**
 * The describe calls of one scheduled evaluation, each paged to the end within the invocation:
 * DescribeInstances (1,000 a page), DescribeInstanceInformation (50 a page), DescribeVpcEndpoints,
 * DescribeInstanceAssociationsStatus per instance and DescribeVpcAttribute per VPC (only where needed).
 */
import { DescribeInstancesCommand, DescribeVpcAttributeCommand, DescribeVpcEndpointsCommand, type Filter } from '@aws-sdk/client-ec2';
import { DescribeInstanceAssociationsStatusCommand, DescribeInstanceInformationCommand } from '@aws-sdk/client-ssm';
import type { Ec2Reservation, SsmAssociationStatus, SsmInstanceInformation, VpcDnsAttributes, VpcEndpointInfo } from '../domain/coverage/facts';
import { EXCLUSION_TAG_VALUE } from '../domain/coverage/settings';
import type { CoverageClients } from './clients';
import type { CoverageHandlerSettings } from './settings';

/** Running instances in scope: all (account-wide) or those carrying the target or the exclusion tag. */
export async function describeInstances(clients: CoverageClients, settings: CoverageHandlerSettings): Promise<Ec2Reservation[]> {
  const filters: Filter[] = [{ Name: 'instance-state-name', Values: ['running'] }];
  if (!settings.accountWide) filters.push({ Name: `tag:${settings.targetTagKey}`, Values: [settings.targetTagValue, EXCLUSION_TAG_VALUE] });
  const reservations: Ec2Reservation[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ec2.send(new DescribeInstancesCommand({ Filters: filters, MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
    reservations.push(...(page.Reservations ?? []));
    token = page.NextToken || undefined;
  } while (token);
  return reservations;
}

/** Every SSM managed node of the region, by instance id. */
export async function describeInstanceInformation(clients: CoverageClients): Promise<Map<string, SsmInstanceInformation>> {
  const byId = new Map<string, SsmInstanceInformation>();
  let token: string | undefined;
  do {
    const page = await clients.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
    for (const info of page.InstanceInformationList ?? []) if (info.InstanceId) byId.set(info.InstanceId, info);
    token = page.NextToken || undefined;
  } while (token);
  return byId;
}

/** The association statuses of one instance (all pages). */
export async function describeAssociations(clients: CoverageClients, instanceId: string): Promise<SsmAssociationStatus[]> {
  const out: SsmAssociationStatus[] = [];
  let token: string | undefined;
  do {
    const page = await clients.ssm.send(new DescribeInstanceAssociationsStatusCommand({ InstanceId: instanceId, MaxResults: 50, ...(token ? { NextToken: token } : {}) }));
    out.push(...(page.InstanceAssociationStatusInfos ?? []));
    token = page.NextToken || undefined;
  } while (token);
  return out;
}

/** The EventBridge interface endpoints of the region, by VPC. */
export async function describeEventsEndpoints(clients: CoverageClients, serviceName: string): Promise<Map<string, VpcEndpointInfo[]>> {
  const byVpc = new Map<string, VpcEndpointInfo[]>();
  let token: string | undefined;
  do {
    const page = await clients.ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'service-name', Values: [serviceName] }], MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
    for (const e of page.VpcEndpoints ?? []) {
      if (!e.VpcId) continue;
      byVpc.set(e.VpcId, [...(byVpc.get(e.VpcId) ?? []), e]);
    }
    token = page.NextToken || undefined;
  } while (token);
  return byVpc;
}

/** enableDnsSupport and enableDnsHostnames of a VPC (DescribeVpcAttribute takes one attribute a call). */
export async function describeVpcDns(clients: CoverageClients, vpcId: string): Promise<VpcDnsAttributes> {
  const support = await clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }));
  const hostnames = await clients.ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }));
  return { EnableDnsSupport: support.EnableDnsSupport, EnableDnsHostnames: hostnames.EnableDnsHostnames };
}
