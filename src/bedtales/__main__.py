from bedtales.cli import main

main()
