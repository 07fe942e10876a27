// Asking the API server what an identity may do, as `kubectl auth can-i --as` asks it
// (a SubjectAccessReview through impersonation), for the RBAC tests of the chart.
import { kubectl } from './support.js';

export interface Question {
  verb: string;
  /** `resource.group`, or `resource.group/name` for one object. */
  resource: string;
  subresource?: string;
  /** A namespace, '--all-namespaces', or none for a cluster-scoped question. */
  namespace?: string;
}

export const describeQuestion = (q: Question) =>
  `${q.verb} ${q.resource}${q.subresource ? ` --subresource=${q.subresource}` : ''}${q.namespace ? ` ${q.namespace === '--all-namespaces' ? q.namespace : `-n ${q.namespace}`}` : ''}`;

/** Each question's answer, in order. */
export async function answers(user: string, questions: Question[], o: { kubeconfig?: string } = {}): Promise<boolean[]> {
  const ask = async (q: Question): Promise<boolean> => {
    const args = ['auth', 'can-i', q.verb, q.resource, `--as=${user}`];
    if (q.subresource) args.push(`--subresource=${q.subresource}`);
    if (q.namespace === '--all-namespaces') args.push('--all-namespaces');
    else if (q.namespace) args.push('-n', q.namespace);
    const r = await kubectl(args, { kubeconfig: o.kubeconfig });
    const answer = r.stdout.trim();
    if (answer !== 'yes' && answer !== 'no') throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
    return answer === 'yes';
  };
  // A few at a time: each answer is a kubectl process, mostly start-up.
  const out: boolean[] = [];
  for (let i = 0; i < questions.length; i += 6) out.push(...await Promise.all(questions.slice(i, i + 6).map(ask)));
  return out;
}

/** The questions not answered as `expected` (default: yes), each as `<answer>: <question>`. */
export async function canI(user: string, questions: Question[], o: { expected?: boolean; kubeconfig?: string } = {}): Promise<string[]> {
  const expected = o.expected ?? true;
  const got = await answers(user, questions, o);
  return questions.flatMap((q, i) => (got[i] === expected ? [] : [`${got[i] ? 'yes' : 'no'}: ${describeQuestion(q)}`]));
}
