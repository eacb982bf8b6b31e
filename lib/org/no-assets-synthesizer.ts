/**
 * Synthesizer of the org stacks that have no assets (asset buckets, StackSets, the management account's
 * member): the CLI deploys them with the current credentials and the template inline, so they need no
 * `cdk bootstrap` (BootstraplessSynthesizer would still name the bootstrap deploy role). Templates must
 * stay under CloudFormation's inline limit (51,200 bytes); adding an asset is refused with a clear error.
 */
import { type DockerImageAssetLocation, type FileAssetLocation, type ISynthesisSession, StackSynthesizer } from 'aws-cdk-lib';

export class PicketNoAssetsSynthesizer extends StackSynthesizer {
  addFileAsset(): FileAssetLocation {
    throw new Error(`${this.boundStack.node.path}: this org stack is deployed without bootstrap and cannot carry file assets; put code in a member stack (published to the org asset buckets) instead`);
  }

  addDockerImageAsset(): DockerImageAssetLocation {
    throw new Error(`${this.boundStack.node.path}: this org stack is deployed without bootstrap and cannot carry Docker image assets`);
  }

  synthesize(session: ISynthesisSession): void {
    this.synthesizeTemplate(session);
    this.emitArtifact(session, {});
  }
}
