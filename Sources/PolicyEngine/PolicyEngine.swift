// The MigrationPolicy planner and controller (being written).
