package dev.managedsecrets.cli.commands;

/** A subcommand that stands for one Secrets Manager operation. */
public interface AwsOperation {

  /** The operation's name in the API, as errors name it: CreateSecret, DescribeSecret, ... */
  String operation();
}
