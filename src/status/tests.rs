//! Status from the state machine, table by table.
