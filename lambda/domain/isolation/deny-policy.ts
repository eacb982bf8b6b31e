/**
 * The inline policy that makes credentials already handed to the instance useless: deny everything
 * to sessions of this instance (`ec2:SourceInstanceARN`) issued before the cut-off
 * (`aws:TokenIssueTime`). Other instances sharing the role are not affected.
 */
export interface DenyPolicyInput {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly instanceId: string;
  /** Credentials issued before this instant are denied. */
  readonly issuedBefore: Date;
}

export function instanceArn(input: Pick<DenyPolicyInput, 'partition' | 'region' | 'accountId' | 'instanceId'>): string {
  return `arn:${input.partition}:ec2:${input.region}:${input.accountId}:instance/${input.instanceId}`;
}

export function denyOldCredentialsPolicy(input: DenyPolicyInput): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PicketDenyCredentialsIssuedBeforeIsolation',
        Effect: 'Deny',
        Action: '*',
        Resource: '*',
        Condition: {
          StringEquals: { 'ec2:SourceInstanceARN': instanceArn(input) },
          DateLessThan: { 'aws:TokenIssueTime': input.issuedBefore.toISOString() },
        },
      },
    ],
  });
}
