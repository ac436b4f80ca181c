import ArgumentParser
import GraceSim
@main struct GraceSimCommand: ParsableCommand {}
