/** vpc.mode "none": instances reach AWS their own way; the app must still synthesize, with no endpoints. */
import { configFrom, synthesize, type Synthesized } from './helpers';

describe('vpc.mode none', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize(configFrom({ vpc: { mode: 'none' } }));
  });

  it('creates no VPC and no endpoints, and no IAM statement without resources', () => {
    s.template.resourceCountIs('AWS::EC2::VPC', 0);
    s.template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    for (const policy of Object.values(s.template.findResources('AWS::IAM::Policy'))) {
      const statements = (policy as { Properties: { PolicyDocument: { Statement: { Resource?: unknown }[] } } }).Properties.PolicyDocument.Statement;
      for (const statement of statements) {
        expect(statement.Resource).toBeDefined();
        if (Array.isArray(statement.Resource)) expect(statement.Resource.length).toBeGreaterThan(0);
      }
    }
  });

  it('still has the detector, the responder and coverage', () => {
    expect(s.stack.detector).toBeDefined();
    expect(s.stack.responder).toBeDefined();
    expect(s.stack.coverage).toBeDefined();
    expect(s.stack.agentless).toBeUndefined();
  });
});
