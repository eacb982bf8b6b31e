/** Every behaviour type of the catalogue has a rule, every rule raises only catalogue types, ids are unique. */
import { BEHAVIOUR_RULES } from '../../../lambda/domain/detection/rules/behaviour/index';
import { FINDING_CATALOGUE, findingTypeInfo } from '../../../lambda/domain/findings/catalogue';

describe('behaviour rules and the finding catalogue', () => {
  it('covers every behaviour type of the catalogue', () => {
    const raised = new Set(BEHAVIOUR_RULES.flatMap((r) => r.types));
    const missing = FINDING_CATALOGUE.filter((t) => t.group === 'behaviour' && !raised.has(t.type)).map((t) => t.type);
    expect(missing).toEqual([]);
  });

  it('raises only catalogue types', () => {
    const unknown = BEHAVIOUR_RULES.flatMap((r) => r.types).filter((t) => findingTypeInfo(t) === undefined);
    expect(unknown).toEqual([]);
  });

  it('has unique kebab-case ids and the context recorder first', () => {
    const ids = BEHAVIOUR_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    expect(ids[0]).toBe('behaviour-context-recorder');
  });
});
