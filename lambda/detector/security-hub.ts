/**
 * Optional export of findings to AWS Security Hub (BatchImportFindings, up to 100 per call). Security
 * Hub is a second copy: the findings table and bus stay the record, so an export failure is logged
 * and counted (metric SecurityHubExportFailures) and never fails the batch — otherwise an account
 * without Security Hub enabled would send every batch to the DLQ.
 */
import { BatchImportFindingsCommand } from '@aws-sdk/client-securityhub';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { Finding } from '../domain/findings/finding';
import { toAsff } from './asff';
import { messageOf, nameOf } from './errors';
import type { DetectorLog } from './ports';

export const MAX_FINDINGS_PER_IMPORT = 100;

export class SecurityHubExporter {
  constructor(
    private readonly client: SecurityHubClient,
    private readonly log: DetectorLog,
  ) {}

  /** Imports the findings; returns how many failed. */
  async export(findings: readonly Finding[]): Promise<number> {
    let failed = 0;
    for (let i = 0; i < findings.length; i += MAX_FINDINGS_PER_IMPORT) {
      const chunk = findings.slice(i, i + MAX_FINDINGS_PER_IMPORT);
      try {
        const out = await this.client.send(new BatchImportFindingsCommand({ Findings: chunk.map(toAsff) }));
        for (const f of out.FailedFindings ?? []) {
          this.log.warn('Security Hub refused a finding', { findingId: f.Id, errorCode: f.ErrorCode, errorMessage: f.ErrorMessage });
        }
        failed += out.FailedCount ?? 0;
      } catch (error) {
        this.log.error('Security Hub export failed', { findings: chunk.length, error: `${nameOf(error)}: ${messageOf(error)}` });
        failed += chunk.length;
      }
    }
    return failed;
  }
}
