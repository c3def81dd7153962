// What a problem with the inputs is, and how the list of them is written for the user.

/** One thing wrong with the inputs; `input` is the input's name as written in action.yml. */
export interface InputProblem {
  input: string;
  message: string;
}

export function formatProblems(problems: InputProblem[]): string {
  const noun = problems.length === 1 ? 'problem' : 'problems';
  return [`The inputs have ${problems.length} ${noun}:`, ...problems.map(formatProblem)].join('\n');
}

/** One line of formatProblems: `- input: message`. */
export function formatProblem(problem: InputProblem): string {
  return `- ${problem.input}: ${problem.message}`;
}
