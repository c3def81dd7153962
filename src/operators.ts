// Contract only: implemented by the settings work.
export type Operator = '<' | '<=' | '==' | '!=' | '>=' | '>';
