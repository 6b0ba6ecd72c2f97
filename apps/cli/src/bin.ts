#!/usr/bin/env node
/**
 * The `murmur` command. Commands are wired in as their packages land; until `sim` exists,
 * every invocation prints the help.
 */
const HELP = `murmur — swarm RL post-training of language models

usage: murmur <command> [options]

commands (landing as their packages are built):
  sim        run a swarm of nodes on this machine (npm start)
  node       run one node
  pretrain   supervised pretraining of the default tiny policy
  eval       accuracy of a checkpoint on held-out tasks
  export     write a Hugging Face model folder
  experiment run the SAPO / HERO ablations

Run 'murmur <command> --help' for a command's options.`

process.stdout.write(HELP + '\n')
